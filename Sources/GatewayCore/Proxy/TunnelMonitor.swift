import Logging
import NIOCore

/// Watches a WebSocket tunnel from the caller's side: closes it when it is silent both ways for
/// its idle timeout, counts the bytes each way, and when it closes writes its closing access
/// line and gives its slot back. One timer, moved only when it fires (it then compares the
/// loop's clock with the last activity), so relayed traffic costs no timer work.
final class TunnelMonitor: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    /// What the closing access line says of the tunnel.
    struct Record {
        var requestID: String
        var principal: String
        var connector: String
        var uri: String
        var peer: String
        var runtimeAsset: RuntimeAsset?
        var logger: Logger
        var accessLog: Bool
    }

    private let timeout: TimeAmount
    private let record: Record
    private let tunnels: Tunnels
    private var reservation: Tunnels.Reservation?
    private let upstream: any Channel
    private var opened = NIODeadline.uptimeNanoseconds(0)
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var toUpstream = 0
    private var toCaller = 0
    private var closeReason: String?
    private var context: ChannelHandlerContext?
    private lazy var timer = DeadlineTimer { [unowned(unsafe) self] in self.fired() }

    init(timeout: TimeAmount, record: Record, tunnels: Tunnels, reservation: Tunnels.Reservation?, upstream: any Channel) {
        self.timeout = timeout
        self.record = record
        self.tunnels = tunnels
        self.reservation = reservation
        self.upstream = upstream
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        opened = context.eventLoop.now
        lastActivity = opened
        timer.fire(noLaterThan: lastActivity + timeout, on: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer.cancel()
        finish(now: context.eventLoop.now)
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        toUpstream += unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = context.eventLoop.now
        toCaller += unwrapOutboundIn(data).readableBytes
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer.cancel()
        finish(now: context.eventLoop.now)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeReason == nil { closeReason = "error" }
        context.fireErrorCaught(error)
    }

    private func fired() {
        guard let context else { return }
        let deadline = lastActivity + timeout
        guard context.eventLoop.now >= deadline else {
            return timer.fire(noLaterThan: deadline, on: context.eventLoop)
        }
        closeReason = "idle"
        context.close(promise: nil)
    }

    /// Once: the slot back, the metrics, the closing access line.
    private func finish(now: NIODeadline) {
        guard let reservation else { return }
        self.reservation = nil
        // The caller's side went down first unless the upstream's had already (the glue then
        // closed this one) or the gateway closed it.
        let reason = closeReason ?? (upstream.isActive ? "caller" : "upstream")
        tunnels.closed(reservation, toUpstream: toUpstream, toCaller: toCaller, reason: reason)
        guard record.accessLog else { return }
        AccessRecord(
            requestID: record.requestID, principal: record.principal, connector: record.connector, method: "GET",
            uri: record.uri, status: 101, bytesIn: toUpstream, bytesOut: toCaller,
            totalSeconds: Double((now - opened).nanoseconds) / 1e9, peer: record.peer, error: nil,
            runtimeAsset: record.runtimeAsset, event: "tunnel closed", closedBy: reason
        ).log(to: record.logger)
    }
}
