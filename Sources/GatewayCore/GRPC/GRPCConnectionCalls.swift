import NIOCore

/// The calls in flight on one gRPC caller connection (on its event loop), so that a shutdown
/// whose drain deadline passes can end each of them cleanly, with `UNAVAILABLE` trailers the
/// SDKs retry, instead of a connection reset.
final class GRPCConnectionCalls {
    private var calls: [ObjectIdentifier: GRPCCallHandler] = [:]
    /// The trace sampler's dice for the connection's calls.
    private var random = RequestIDGenerator()

    func nextRandom() -> UInt64 { random.next() }

    func add(_ call: GRPCCallHandler) { calls[ObjectIdentifier(call)] = call }

    func remove(_ call: GRPCCallHandler) { calls[ObjectIdentifier(call)] = nil }

    /// Ends every call still open with `answer`.
    func endAll(_ answer: GRPCAnswer) {
        let open = Array(calls.values)
        calls = [:]
        for call in open { call.end(answer) }
    }
}
