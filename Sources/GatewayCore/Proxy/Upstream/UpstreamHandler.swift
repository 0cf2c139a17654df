import NIOCore
import NIOHTTP1

/// The HTTP handler of an upstream connection's pipeline. Writes the exchange's request parts
/// framed by `UpstreamRequestEncoder`, reads the answers out of the bytes (`ResponseReader`),
/// passes them to the exchange using the connection and holds reads while the caller cannot
/// take more bytes.
/// Properties `@exclusivity(unchecked)`: loop-confined data-path state (see `ProxyHandler`).
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Strong: a weak reference would give the caller's handler a side table, which makes every
    /// retain of it slower. The pool clears it when the exchange lets go of the connection
    /// (`release`, `discard`), and so does this handler when the connection fails or closes.
    @exclusivity(unchecked) var delegate: (any UpstreamDelegate)?
    /// Called once when the connection closes (the pool forgets it).
    @exclusivity(unchecked) var onClose: (() -> Void)?
    @exclusivity(unchecked) private var context: ChannelHandlerContext?
    @exclusivity(unchecked) private var encoder = UpstreamRequestEncoder()
    /// The request's bytes not yet written (written at the flush).
    @exclusivity(unchecked) private var batch = WriteBatch()
    /// The connection is open, as this handler saw it (cheaper to ask than the channel, an
    /// atomic behind an existential).
    @exclusivity(unchecked) private(set) var isActive = false
    @exclusivity(unchecked) private var readsPaused = false
    @exclusivity(unchecked) private var readPending = false
    @exclusivity(unchecked) private var reader = ResponseReader()

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        isActive = context.channel.isActive
    }

    func channelActive(context: ChannelHandlerContext) {
        isActive = true
        context.fireChannelActive()
    }

    /// After a WebSocket handshake the handler leaves: bytes the upstream sent past the 101
    /// belong to the tunnel, next in the pipeline.
    func handlerRemoved(context: ChannelHandlerContext) {
        if let held = batch.take() { context.writeAndFlush(wrapOutboundOut(held), promise: nil) }
        if let leftover = reader.takeLeftover(), leftover.readableBytes > 0 {
            context.fireChannelRead(NIOAny(leftover))
            context.fireChannelReadComplete()
        }
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let first = delegate else {
            // Bytes on an idle pooled connection: the upstream is out of step; drop the connection.
            close(context)
            return
        }
        reader.received(unwrapInboundIn(data))
        first.upstreamEvents { handleEvents(context) }
    }

    /// The events in the bytes read so far, each to the delegate of that moment.
    private func handleEvents(_ context: ChannelHandlerContext) {
        while let event = reader.next() {
            guard let delegate else {
                // The exchange let go of the connection; what is left is out of step.
                close(context)
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
        close(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        if case .end? = reader.closed() { delegate?.upstreamReceivedEnd(reusable: false) }
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamClosed()
        let onClose = self.onClose
        self.onClose = nil
        onClose?()
        context.fireChannelInactive()
    }

    /// Closes the connection; from now on the pool does not hand it out.
    private func close(_ context: ChannelHandlerContext) {
        isActive = false
        batch.drop()
        context.close(promise: nil)
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
    /// Writes a request part on the upstream connection (from its event loop). A part that
    /// breaks the head's framing is never written: the connection fails and closes.
    func write(_ part: UpstreamRequestPart) {
        guard let context else { return }
        if case let .head(head) = part { reader.requestSent(isHEAD: head.method == .HEAD) }
        do {
            try encoder.encode(part, allocator: context.channel.allocator) { bytes in
                batch.add(bytes) { context.write(wrapOutboundOut($0), promise: nil) }
            }
        } catch {
            errorCaught(context: context, error: error)
        }
    }

    func flush() {
        guard let context else { return }
        if let held = batch.take() { context.write(wrapOutboundOut(held), promise: nil) }
        context.flush()
    }
}

/// The upstream's bytes are not an answer the gateway forwards.
struct ResponseRefusal: Error, CustomStringConvertible {
    var reason: String
    var description: String { "the answer is not valid HTTP/1.1: \(reason)" }
}
