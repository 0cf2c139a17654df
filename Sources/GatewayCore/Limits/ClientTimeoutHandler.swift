import NIOCore

/// The first handler of a caller's connection, on raw bytes before the HTTP decoder: bounds the
/// time without a request. A new connection must send a complete request head within
/// `header_read_timeout` (else it is closed; with 408 when some of a head arrived); between
/// requests, a keep-alive connection may wait `client_idle_timeout` for the next first byte,
/// then has `header_read_timeout` for the head. `ProxyHandler` says when a head arrived and
/// when its exchange ended. One timer per connection, moved only when it fires, so a request
/// costs no timer work.
final class ClientTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// No byte of the next request yet.
        case waiting
        /// Some bytes of a head, not all of it.
        case readingHead
        /// A request is being handled: `ProxyHandler`'s own deadlines apply.
        case inRequest
        /// The answer is complete, the rest of the request body is read and dropped.
        case discardingBody
    }

    private let limits: ClientLimits
    private var phase = Phase.waiting
    private var deadline: NIODeadline?
    private let timer = DeadlineTimer()
    private var context: ChannelHandlerContext?

    init(limits: ClientLimits) {
        self.limits = limits
        timer.onFire = { [unowned(unsafe) self] in self.fired() }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        setDeadline(context.eventLoop.now + limits.headerRead)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .waiting = phase {
            phase = .readingHead
            setDeadline(context.eventLoop.now + limits.headerRead)
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer.cancel()
        context.fireChannelInactive()
    }

    /// A complete request head arrived.
    func requestStarted() {
        phase = .inRequest
        deadline = nil
    }

    /// The exchange ended (response sent, request read) at `now`: wait for the next request.
    func requestFinished(now: NIODeadline) {
        switch phase {
        case .inRequest, .discardingBody: break
        case .waiting, .readingHead: return
        }
        phase = .waiting
        setDeadline(now + limits.clientIdle)
    }

    /// The answer went out before the request body was read (an early answer): the rest of the
    /// body is dropped as it arrives, for at most `request_body_timeout`, then the connection
    /// is closed (nginx's lingering close), so a trickled body cannot hold it forever.
    func discardingBody(now: NIODeadline) {
        phase = .discardingBody
        setDeadline(now + TimeAmount(seconds: limits.requestBodyTimeout))
    }

    /// Writes `bytes` straight to the socket, below the HTTP codec, and closes: for answers the
    /// response encoder cannot frame (a response to CONNECT loses its body there).
    func writeRawAndClose(_ bytes: ByteBuffer) {
        guard let context else { return }
        phase = .inRequest
        deadline = nil
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func setDeadline(_ new: NIODeadline) {
        deadline = new
        guard let context else { return }
        timer.fire(noLaterThan: new, on: context.eventLoop)
    }

    private func fired() {
        guard let deadline, let context else { return }
        if context.eventLoop.now < deadline {
            timer.fire(noLaterThan: deadline, on: context.eventLoop)
            return
        }
        self.deadline = nil
        switch phase {
        case .inRequest:
            return
        case .waiting, .discardingBody:
            context.close(promise: nil)
        case .readingHead:
            let seconds = limits.headerReadTimeout
            let error = ProxyError(
                .clientTimeout, status: 408, title: "Request head timeout",
                detail: "The request head was not complete within \(Self.format(seconds)) (gateway.limits.header_read_timeout).")
            context.writeAndFlush(wrapOutboundOut(RawErrorResponse.bytes(error, allocator: context.channel.allocator)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(Int(seconds * 1000)) ms"
    }
}
