import NIOCore

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
