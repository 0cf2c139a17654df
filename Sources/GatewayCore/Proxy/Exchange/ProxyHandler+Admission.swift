import Logging
import NIOCore
import NIOHTTP1

/// What lets a forwarded request through (the principal's and connector's limits, a tunnel slot
/// for a WebSocket handshake) and what a handshake becomes after the upstream's 101.
extension ProxyHandler {
    /// True when the request may go upstream; otherwise it was answered here (429, 503).
    func admit(_ plan: RouteDecision.ForwardPlan, head: CallerRequestHead, requestID: String, declaresBody: Bool) -> Bool {
        func refused(_ error: ProxyError) -> Bool {
            refuse(
                head, .init(error: error, format: plan.format, connector: plan.target.connector, principal: plan.principal),
                requestID: requestID, declaresBody: declaresBody)
            return false
        }
        if !shared.requestLimits.isEmpty {
            switch shared.requestLimits.admit(principal: plan.principal, connector: plan.target.connector, now: now) {
            case let .admitted(admission): self.admission = admission
            case let .refused(error, _): return refused(error)
            }
        }
        if plan.upgrade {
            switch shared.requestLimits.reserveTunnel(in: holder.tunnels, principal: plan.principal, connector: plan.target.connector) {
            case let .success(reservation): tunnelReservation = reservation
            case let .failure(error):
                releaseAdmission()
                return refused(error)
            }
        }
        return true
    }

    /// Gives back what the exchange held (a tunnel takes its slot with it before this).
    func releaseAdmission() {
        admission?.release()
        admission = nil
        if let reservation = tunnelReservation {
            tunnelReservation = nil
            holder.tunnels.release(reservation)
        }
    }

    /// The upstream switched to WebSocket: the caller gets the 101, the exchange ends (its
    /// access line says 101) and the two connections become a tunnel that keeps the slot.
    func openTunnel(_ head: HTTPResponseHead, context: ChannelHandlerContext) {
        guard let connection, let exchange = machine.exchange?.machine else { return }
        self.connection = nil
        let reservation = tunnelReservation
        tunnelReservation = nil
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
        pool.detach(connection)
        let access = AccessRecord(
            requestID: exchange.requestID, principal: exchange.principal, auth: exchange.auth, connector: exchange.target.connector,
            method: exchange.clientHead.method.rawValue, uri: exchange.clientHead.uri, status: 101, peer: peerAddress,
            runtimeAsset: exchange.target.runtimeAsset, trace: trace?.ids)
        let record = TunnelMonitor.Record(
            access: access, logger: shared.logger, accessLog: shared.accessLog,
            span: trace?.tunnelOpened(connector: exchange.target.connector))
        let monitor = TunnelMonitor(
            timeout: exchange.target.tunnelIdleTimeout, record: record, tunnels: holder.tunnels, reservation: reservation,
            upstream: connection.channel)
        exchangeEnded(next: false)
        do {
            try WebSocketTunnel.open(caller: context, upstream: connection.channel, monitor: monitor)
        } catch {
            shared.logger.warning("could not open a WebSocket tunnel", metadata: ["gateway.error": "\(error)"])
            if let reservation { holder.tunnels.release(reservation) }
            connection.channel.close(promise: nil)
            context.close(promise: nil)
        }
    }
}
