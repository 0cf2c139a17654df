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
