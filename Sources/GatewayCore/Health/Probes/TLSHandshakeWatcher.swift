import NIOCore
import NIOTLS

/// Sits behind the TLS handler and completes `promise` when the handshake ends: with the ALPN
/// protocol chosen, or with the error that stopped it.
final class TLSHandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    struct ClosedDuringHandshake: Error {}

    private let promise: EventLoopPromise<String?>

    init(promise: EventLoopPromise<String?>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case let .handshakeCompleted(negotiated) = event {
            promise.succeed(negotiated)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ClosedDuringHandshake())
        context.fireChannelInactive()
    }
}
