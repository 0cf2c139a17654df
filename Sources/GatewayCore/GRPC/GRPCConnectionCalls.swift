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

/// A gRPC caller connection as its listener tracks it: to send it GOAWAY when the listener's
/// settings change, and to end its calls when a shutdown's drain deadline passes.
struct GRPCConnectionEntry: Sendable {
    let channel: any Channel
    let calls: NIOLoopBound<GRPCConnectionCalls>

    /// GOAWAY: the caller opens no new calls here; those in flight finish, then it closes.
    func goAway() {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }

    /// Ends the calls in flight with `UNAVAILABLE` and a reason, then closes the connection.
    func endCalls(reason: String) -> EventLoopFuture<Void> {
        let calls = self.calls
        let channel = self.channel
        return channel.eventLoop.submit {
            calls.value.endAll(GRPCAnswer(.unavailable, reason))
        }.flatMap {
            channel.close()
        }.recover { _ in }
    }
}
