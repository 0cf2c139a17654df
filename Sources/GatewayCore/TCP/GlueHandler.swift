import NIOCore

/// Joins two TCP connections: bytes read on one are written to the other, reading pauses while
/// the other side cannot take more, and a half-close on one side is passed on as a half-close.
/// One pair per proxied connection; both sides run on the same event loop.
final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// While set, what the partner hands over is kept here instead of written (a WebSocket
    /// tunnel holds writes until the HTTP handlers that would misread them have left).
    private var held: [NIOAny]?

    static func matchedPair() -> (GlueHandler, GlueHandler) {
        let first = GlueHandler()
        let second = GlueHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    private func partnerWrite(_ data: NIOAny) {
        if held != nil {
            held!.append(data)
            return
        }
        context?.write(data, promise: nil)
    }

    private func partnerFlush() {
        if held == nil { context?.flush() }
    }

    /// Keeps what the partner hands over until `releaseHeld`.
    func holdWrites() {
        if held == nil { held = [] }
    }

    /// Writes and flushes what was kept, and writes as usual from now on.
    func releaseHeld() {
        guard let items = held else { return }
        held = nil
        for item in items { context?.write(item, promise: nil) }
        context?.flush()
    }

    private func partnerWriteEOF() {
        context?.close(mode: .output, promise: nil)
    }

    private func partnerCloseFull() {
        context?.close(promise: nil)
    }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }

    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerCloseFull()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            // The peer finished sending: let the other side see the end of the stream, and keep
            // the opposite direction open (gRPC half-closes after its last request message).
            partner?.partnerWriteEOF()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
    }

    func read(context: ChannelHandlerContext) {
        if let partner, partner.partnerWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
