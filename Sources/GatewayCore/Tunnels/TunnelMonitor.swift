import Logging
import NIOCore
import Tracing

/// Watches a WebSocket tunnel from the caller's side: it sees the caller's bytes as they are read
/// and the upstream's as they are written to the caller, counts them, and follows both streams'
/// frames so that it can end the tunnel properly: when the tunnel was silent both ways for its
/// idle timeout, when the gateway drains, or when a reload removed its connector, it writes a
/// close frame `1001 going away` to each side between two messages, stops relaying, and closes
/// the connections once the peers answered (or after `linger`). A message still arriving after
/// `grace` is cut without a frame. When the tunnel closes it writes its closing access line and
/// gives its slot back. One timer, moved only when it fires, so relayed traffic costs no timer work.
final class TunnelMonitor: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the closing access line says of the tunnel.
    struct Record {
        /// The handshake's line (status 101); the close completes it with bytes, duration and who closed.
        var access: AccessRecord
        var logger: Logger
        var accessLog: Bool
        /// The tunnel's span (ended here), when traced.
        var span: (any Span)?
    }

    /// How long a message in flight may take to end once the gateway decided to close.
    static let grace = TimeAmount.seconds(2)
    /// How long the peers get to answer the close frames before the connections close.
    static let linger = TimeAmount.seconds(1)

    private enum Phase {
        case relaying
        case goingAway(closeSentToCaller: Bool, closeSentToUpstream: Bool)
    }

    private let timeout: TimeAmount
    private let record: Record
    private let tunnels: Tunnels
    private var reservation: Tunnels.Reservation?
    private let upstream: any Channel
    private var phase = Phase.relaying
    private var fromCaller = WebSocketFrameTracker()
    private var fromUpstream = WebSocketFrameTracker()
    private var opened = NIODeadline.uptimeNanoseconds(0)
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var toUpstream = 0
    private var toCaller = 0
    private var closeReason: String?
    private var context: ChannelHandlerContext?
    private let timer = DeadlineTimer()

    init(timeout: TimeAmount, record: Record, tunnels: Tunnels, reservation: Tunnels.Reservation?, upstream: any Channel) {
        self.timeout = timeout
        self.record = record
        self.tunnels = tunnels
        self.reservation = reservation
        self.upstream = upstream
        timer.onFire = { [unowned(unsafe) self] in self.fired() }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        opened = context.eventLoop.now
        lastActivity = opened
        timer.fire(noLaterThan: lastActivity + timeout, on: context.eventLoop)
        if let reservation { tunnels.opened(reservation, monitor: self, on: context.eventLoop, closed: context.channel.closeFuture) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer.cancel()
        finish(now: context.eventLoop.now)
        self.context = nil
    }

    /// The caller's bytes, on their way to the upstream.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        let bytes = unwrapInboundIn(data)
        guard case let .goingAway(toCallerSent, toUpstreamSent) = phase else {
            toUpstream += fromCaller.advance(over: bytes)
            return context.fireChannelRead(data)
        }
        guard !toUpstreamSent else { return }  // past the gateway's close frame: nothing more
        let passing = fromCaller.advance(over: bytes, stoppingAtBoundary: true)
        toUpstream += passing
        if passing > 0 { context.fireChannelRead(wrapInboundOut(bytes.getSlice(at: bytes.readerIndex, length: passing)!)) }
        if fromCaller.atMessageBoundary { closeUpstreamSide(context, callerSideSent: toCallerSent) }
    }

    /// The upstream's bytes, on their way to the caller.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = context.eventLoop.now
        let bytes = unwrapOutboundIn(data)
        guard case let .goingAway(toCallerSent, toUpstreamSent) = phase else {
            toCaller += fromUpstream.advance(over: bytes)
            return context.write(data, promise: promise)
        }
        guard !toCallerSent else {
            promise?.succeed(())
            return
        }
        let passing = fromUpstream.advance(over: bytes, stoppingAtBoundary: true)
        toCaller += passing
        if passing > 0 {
            context.write(wrapOutboundOut(bytes.getSlice(at: bytes.readerIndex, length: passing)!), promise: promise)
        } else {
            promise?.succeed(())
        }
        if fromUpstream.atMessageBoundary { closeCallerSide(context, upstreamSideSent: toUpstreamSent) }
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

    /// Ends the tunnel with `1001 going away` to both sides, each between two messages.
    func goAway(_ why: Tunnels.Ending) {
        guard let context, case .relaying = phase else { return }
        closeReason = why.rawValue
        phase = .goingAway(closeSentToCaller: false, closeSentToUpstream: false)
        timer.cancel()
        timer.fire(noLaterThan: context.eventLoop.now + Self.grace, on: context.eventLoop)
        if fromUpstream.atMessageBoundary { closeCallerSide(context, upstreamSideSent: false) }
        if case let .goingAway(callerSent, _) = phase, fromCaller.atMessageBoundary {
            closeUpstreamSide(context, callerSideSent: callerSent)
        }
    }

    private func closeCallerSide(_ context: ChannelHandlerContext, upstreamSideSent: Bool) {
        let frame = WebSocketCloseFrame.make(code: WebSocketCloseFrame.goingAway, reason: reasonText, masked: false)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        sent(context, toCaller: true, toUpstream: upstreamSideSent)
    }

    /// Through the glue, as if the caller had sent it, so that it follows what the caller sent.
    private func closeUpstreamSide(_ context: ChannelHandlerContext, callerSideSent: Bool) {
        let frame = WebSocketCloseFrame.make(code: WebSocketCloseFrame.goingAway, reason: reasonText, masked: true)
        context.fireChannelRead(wrapInboundOut(frame))
        context.fireChannelReadComplete()
        sent(context, toCaller: callerSideSent, toUpstream: true)
    }

    private func sent(_ context: ChannelHandlerContext, toCaller: Bool, toUpstream: Bool) {
        phase = .goingAway(closeSentToCaller: toCaller, closeSentToUpstream: toUpstream)
        // Both frames out: the peers answer and the upstream closes (which closes the caller);
        // whoever does not is closed after `linger`.
        if toCaller && toUpstream { timer.fire(noLaterThan: context.eventLoop.now + Self.linger, on: context.eventLoop) }
    }

    private var reasonText: String { Tunnels.Ending(rawValue: closeReason ?? "")?.frameReason ?? "going away" }

    private func fired() {
        guard let context else { return }
        if case .goingAway = phase { return context.close(promise: nil) }
        let deadline = lastActivity + timeout
        guard context.eventLoop.now >= deadline else {
            return timer.fire(noLaterThan: deadline, on: context.eventLoop)
        }
        goAway(.idle)
    }

    /// Once: the slot back, the metrics, the closing access line.
    private func finish(now: NIODeadline) {
        guard let reservation else { return }
        self.reservation = nil
        // The caller's side went down first unless the upstream's had already (the glue then
        // closed this one) or the gateway closed it.
        let reason = closeReason ?? (upstream.isActive ? "caller" : "upstream")
        tunnels.closed(reservation, toUpstream: toUpstream, toCaller: toCaller, reason: reason)
        if let span = record.span {
            if span.isRecording {
                span.attributes["fractalops.tunnel.bytes_to_upstream"] = toUpstream
                span.attributes["fractalops.tunnel.bytes_to_caller"] = toCaller
                span.attributes["fractalops.tunnel.closed_by"] = reason
                if reason == "error" { span.setStatus(SpanStatus(code: .error)) }
            }
            span.end()
        }
        guard record.accessLog else { return }
        var line = record.access
        line.bytesIn = toUpstream
        line.bytesOut = toCaller
        line.totalSeconds = Double((now - opened).nanoseconds) / 1e9
        line.event = "tunnel closed"
        line.closedBy = reason
        line.log(to: record.logger)
    }
}
