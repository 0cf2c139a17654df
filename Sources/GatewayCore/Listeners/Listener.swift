import Logging
import NIOCore
import NIOExtras

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
