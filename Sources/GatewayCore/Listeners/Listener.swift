import Logging
import NIOCore
import NIOExtras
import NIOPosix

/// One address the gateway accepts connections on: the HTTP listener, or a connector's own TCP
/// listener. `start` binds (and throws when the address cannot be bound); `drain` stops
/// accepting, lets what is in flight finish up to the deadline, then closes what is left.
/// The `ListenerSupervisor` starts and drains them, at start, on reload and at shutdown.
protocol Listener: AnyObject, Sendable {
    /// What the listener is for, in logs: `http` or `tcp:<connector>`.
    var name: String { get }
    /// The configured address (port 0 picks a free one at bind time).
    var address: HostPort { get }
    func start() async throws -> SocketAddress
    /// True when everything in flight finished before `deadline`.
    func drain(deadline: TimeAmount) async -> Bool
}

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

struct DrainDeadline: Error {}
