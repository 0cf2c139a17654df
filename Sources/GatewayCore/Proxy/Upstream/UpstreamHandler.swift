import NIOCore
import NIOHTTP1

/// The last handler of an upstream connection's pipeline. Passes response parts to the
/// exchange using the connection and holds reads while the caller cannot take more bytes.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

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

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let delegate else {
            // Bytes on an idle pooled connection: the upstream is out of step; drop the connection.
            context.close(promise: nil)
            return
        }
        delegate.upstreamReceived(part)
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
    func write(_ part: HTTPClientRequestPart) {
        contextForWriting?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        contextForWriting?.flush()
    }
}
