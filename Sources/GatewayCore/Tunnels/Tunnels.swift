import NIOCore
import Synchronization

/// The WebSocket tunnels open in the process, which a reload keeps: the caps on open tunnels
/// per principal and per connector, the tunnel metrics, and the way to end them (drain, reload).
/// Touched when a handshake starts and when a tunnel opens or closes, never per relayed byte.
package final class Tunnels: Sendable {
    /// A tunnel slot held from the handshake until the tunnel closes (or the handshake fails).
    struct Reservation: Sendable {
        let id: UInt64
        let principal: String
        let connector: String
    }

    /// Why the gateway ends a tunnel: the `reason` of the closing line and metric.
    package enum Ending: String, Sendable {
        case idle
        case drain
        case reload

        /// The close frame's reason text.
        var frameReason: String {
            switch self {
            case .idle: "idle timeout"
            case .drain: "gateway shutting down"
            case .reload: "connector removed"
            }
        }
    }

    /// An open tunnel, to end it from outside its event loop.
    private struct Open: Sendable {
        let connector: String
        let monitor: NIOLoopBound<TunnelMonitor>
        let closed: EventLoopFuture<Void>
    }

    private struct ClosedKey: Hashable {
        var connector: String
        var reason: String
    }

    private struct State {
        var openByConnector: [String: Int] = [:]
        var openByPrincipal: [String: Int] = [:]
        var bytesToUpstream: [String: UInt64] = [:]
        var bytesToCaller: [String: UInt64] = [:]
        var closed: [ClosedKey: UInt64] = [:]
        var open: [UInt64: Open] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// A slot for `principal` on `connector`, or nil when either is at its cap.
    func reserve(principal: String, connector: String, principalCap: Int?, connectorCap: Int) -> Reservation? {
        state.withLock { state in
            guard state.openByConnector[connector, default: 0] < connectorCap,
                principalCap.map({ state.openByPrincipal[principal, default: 0] < $0 }) ?? true
            else { return nil }
            state.openByConnector[connector, default: 0] += 1
            state.openByPrincipal[principal, default: 0] += 1
            state.nextID += 1
            return Reservation(id: state.nextID, principal: principal, connector: connector)
        }
    }

    /// The handshake did not become a tunnel.
    func release(_ reservation: Reservation) {
        state.withLock { state in
            state.openByConnector[reservation.connector, default: 1] -= 1
            state.openByPrincipal[reservation.principal, default: 1] -= 1
        }
    }

    /// The handshake became a tunnel, watched by `monitor` on `loop` until `closed` completes.
    func opened(_ reservation: Reservation, monitor: TunnelMonitor, on loop: any EventLoop, closed: EventLoopFuture<Void>) {
        let open = Open(connector: reservation.connector, monitor: NIOLoopBound(monitor, eventLoop: loop), closed: closed)
        state.withLock { $0.open[reservation.id] = open }
    }

    /// A tunnel closed after relaying these bytes; `reason` is who ended it.
    func closed(_ reservation: Reservation, toUpstream: Int, toCaller: Int, reason: String) {
        state.withLock { state in
            state.open[reservation.id] = nil
            state.openByConnector[reservation.connector, default: 1] -= 1
            state.openByPrincipal[reservation.principal, default: 1] -= 1
            state.bytesToUpstream[reservation.connector, default: 0] += UInt64(toUpstream)
            state.bytesToCaller[reservation.connector, default: 0] += UInt64(toCaller)
            state.closed[ClosedKey(connector: reservation.connector, reason: reason), default: 0] += 1
        }
    }

    /// Ends every open tunnel whose connector `matches` with `1001 going away` to both sides
    /// (each between two messages) and returns when they all closed, which they do within the
    /// monitor's grace and linger; the count of tunnels it ended.
    @discardableResult
    package func goAway(_ why: Ending, where matches: (String) -> Bool = { _ in true }) async -> Int {
        let closed = ask(why, where: matches)
        for future in closed { try? await future.get() }
        return closed.count
    }

    /// Asks the tunnels to end (each on its event loop); their caller connections' close futures.
    func ask(_ why: Ending, where matches: (String) -> Bool) -> [EventLoopFuture<Void>] {
        let ending = state.withLock { $0.open.values.filter { matches($0.connector) } }
        for tunnel in ending {
            let monitor = tunnel.monitor
            monitor.eventLoop.execute { monitor.value.goAway(why) }
        }
        return ending.map(\.closed)
    }

    /// Open tunnels per connector (for `/status` and the health report).
    package var openByConnector: [String: Int] { state.withLock { $0.openByConnector.filter { $0.value > 0 } } }

    /// `gateway_tunnels_open`, `gateway_tunnel_bytes_total`, `gateway_tunnels_closed_total`.
    func metricsText() -> String {
        let snapshot = state.withLock { $0 }
        var out = PrometheusText()
        out.family("gateway_tunnels_open", .gauge, help: "WebSocket tunnels open now, by connector.")
        for (connector, count) in snapshot.openByConnector.sorted(by: { $0.key < $1.key }) {
            out.sample("gateway_tunnels_open", [("connector", connector)], count)
        }
        out.family("gateway_tunnel_bytes_total", .counter, help: "Bytes relayed by closed WebSocket tunnels, by connector and direction.")
        for (connector, bytes) in snapshot.bytesToUpstream.sorted(by: { $0.key < $1.key }) {
            out.sample("gateway_tunnel_bytes_total", [("connector", connector), ("direction", "to_upstream")], bytes)
            out.sample(
                "gateway_tunnel_bytes_total", [("connector", connector), ("direction", "to_caller")],
                snapshot.bytesToCaller[connector, default: 0])
        }
        out.family("gateway_tunnels_closed_total", .counter, help: "WebSocket tunnels closed, by connector and by who ended them.")
        for (key, count) in snapshot.closed.sorted(by: { ($0.key.connector, $0.key.reason) < ($1.key.connector, $1.key.reason) }) {
            out.sample("gateway_tunnels_closed_total", [("connector", key.connector), ("reason", key.reason)], count)
        }
        return out.text
    }
}
