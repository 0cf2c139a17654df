import NIOCore

extension ProxyHandler {
    /// The event loop's clock (a test's `EmbeddedEventLoop` moves it by hand): within
    /// `atOneInstant`, the instant read when the event began.
    var now: NIODeadline { eventNow ?? context?.eventLoop.now ?? .now() }

    /// Runs one event's steps (routing, attaching a pooled connection, the exchange's
    /// transitions, the timers) with the clock read once for all of them rather than at each.
    @inline(__always)
    func atOneInstant<Result>(_ body: () -> Result) -> Result {
        guard eventNow == nil else { return body() }
        eventNow = context?.eventLoop.now ?? .now()
        defer { eventNow = nil }
        return body()
    }
}
