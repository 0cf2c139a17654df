import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL

/// Sees the connection-level frames an HTTP/2 connection passes on, and reports a GOAWAY.
final class GoAwayWatcher: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    private let onGoAway: () -> Void

    init(onGoAway: @escaping () -> Void) {
        self.onGoAway = onGoAway
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .goAway = unwrapInboundIn(data).payload { onGoAway() }
        context.fireChannelRead(data)
    }
}
