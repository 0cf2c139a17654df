import NIOCore

/// Holds what arrives on a fresh connection until the probe's protocol handlers are in place
/// behind it, then hands it on and leaves. Without it, a server that speaks first (an HTTP/2
/// server's SETTINGS right after connect, or after the TLS handshake) would be read by a
/// pipeline with nothing to take it, and the bytes lost.
final class ReadHoldingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var held: [NIOAny] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        let held = self.held
        self.held = []
        for data in held { context.fireChannelRead(data) }
        if !held.isEmpty { context.fireChannelReadComplete() }
        context.leavePipeline(removalToken: removalToken)
    }

    /// Removes the holder from `pipeline` (on its event loop), passing on what it held.
    static func release(_ pipeline: ChannelPipeline.SynchronousOperations) throws {
        pipeline.removeHandler(try pipeline.handler(type: ReadHoldingHandler.self), promise: nil)
    }
}
