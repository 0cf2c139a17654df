import NIOCore

/// The only handler of a caller connection accepted over `gateway.limits.max_client_connections`:
/// answers 503 and closes, without reading anything.
final class OverCapacityHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func channelActive(context: ChannelHandlerContext) {
        let error = ProxyError(
            .limit, status: 503, title: "Too many connections",
            detail: "The gateway holds \(limit) caller connections already (gateway.limits.max_client_connections); retry later.")
        context.writeAndFlush(wrapOutboundOut(RawErrorResponse.bytes(error, allocator: context.channel.allocator)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
