import NIOCore
import NIOHTTP1

/// The last handler of an upstream connection's pipeline. Reads the answers out of the bytes
/// (`ResponseReader`), passes them to the exchange using the connection and holds reads while
/// the caller cannot take more bytes.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = UpstreamRequestPart
    typealias OutboundOut = UpstreamRequestPart

    /// Strong: a weak reference would give the caller's handler a side table, which makes every
    /// retain of it slower. The pool clears it when the exchange lets go of the connection
    /// (`release`, `discard`), and so does this handler when the connection fails or closes.
    var delegate: (any UpstreamDelegate)?
    /// Called once when the connection closes (the pool forgets it).
    var onClose: (() -> Void)?
    private var context: ChannelHandlerContext?
    var contextForWriting: ChannelHandlerContext? { context }
    private var readsPaused = false
    private var readPending = false
    private var reader = ResponseReader()

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// After a WebSocket handshake the handler leaves: bytes the upstream sent past the 101
    /// belong to the tunnel, next in the pipeline.
    func handlerRemoved(context: ChannelHandlerContext) {
        if let leftover = reader.takeLeftover(), leftover.readableBytes > 0 {
            context.fireChannelRead(NIOAny(leftover))
            context.fireChannelReadComplete()
        }
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard delegate != nil else {
            // Bytes on an idle pooled connection: the upstream is out of step; drop the connection.
            context.close(promise: nil)
            return
        }
        reader.received(unwrapInboundIn(data))
        while let event = reader.next() {
            guard let delegate else {
                // The exchange let go of the connection; what is left is out of step.
                context.close(promise: nil)
                return
            }
            switch event {
            case let .head(head):
                reader.deliverChunkedBody(delegate.upstreamReceivedHead(head))
            case let .body(buffer):
                delegate.upstreamReceivedBody(buffer)
            case let .end(reusable):
                delegate.upstreamReceivedEnd(reusable: reusable)
            case let .refused(reason):
                errorCaught(context: context, error: ResponseRefusal(reason: reason))
                return
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamFailed(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .end? = reader.closed() { delegate?.upstreamReceivedEnd(reusable: false) }
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamClosed()
        let onClose = self.onClose
        self.onClose = nil
        onClose?()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Stops reading from the upstream (the caller's connection is not writable).
    func pauseReads() {
        readsPaused = true
    }

    /// Resumes reading, issuing a read that was held.
    func resumeReads() {
        readsPaused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }
}

extension UpstreamHandler {
    /// Writes a request part on the upstream connection (from its event loop).
    func write(_ part: UpstreamRequestPart) {
        if case let .head(head) = part { reader.requestSent(isHEAD: head.method == .HEAD) }
        contextForWriting?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        contextForWriting?.flush()
    }
}

/// The upstream's bytes are not an answer the gateway forwards.
struct ResponseRefusal: Error, CustomStringConvertible {
    var reason: String
    var description: String { "the answer is not valid HTTP/1.1: \(reason)" }
}
