import NIOCore

extension TimeAmount {
    init(seconds: Double) {
        self = .nanoseconds(Int64(seconds * 1_000_000_000))
    }
}
