import Logging
import NIOCore
import NIOExtras
import NIOPosix

extension ServerQuiescingHelper {
    /// A server bootstrap with the listening options every listener uses, whose server channel
    /// this helper can quiesce.
    func serverBootstrap(group: any EventLoopGroup, backlog: Int32) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(makeServerChannelHandler(channel: channel))
                }
            }
    }

    /// Stops accepting, asks every open connection to finish, and waits for them up to
    /// `deadline`; true when they all closed in time (the rest are then closed by the caller
    /// shutting the event loop group down, or left to finish on their own on reload).
    func drain(on loop: any EventLoop, deadline: TimeAmount) async -> Bool {
        let drained = loop.makePromise(of: Void.self)
        initiateShutdown(promise: drained)
        let timer = loop.scheduleTask(in: deadline) { drained.fail(DrainDeadline()) }
        do {
            try await drained.futureResult.get()
            timer.cancel()
            return true
        } catch {
            return false
        }
    }
}
