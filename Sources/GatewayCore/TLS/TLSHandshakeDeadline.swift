import NIOCore
import NIOTLS

/// Closes a connection whose TLS handshake has not finished in time, or failed (reported to
/// `onFailure`); leaves the pipeline once the handshake is done. Listeners whose connections may
/// then idle for hours (gRPC workers) need a bound on the handshake alone.
final class TLSHandshakeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private let onFailure: (String) -> Void
    private var deadline: Scheduled<Void>?
    private var done = false

    init(timeout: TimeAmount, onFailure: @escaping (String) -> Void) {
        self.timeout = timeout
        self.onFailure = onFailure
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = bound.value
            guard !handler.done else { return }
            handler.done = true
            handler.onFailure("it did not finish within \(handler.timeout.nanoseconds / 1_000_000_000) s")
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent, !done {
            done = true
            deadline?.cancel()
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            onFailure("\(error)")
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}
