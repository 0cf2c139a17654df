import Logging
import NIOCore
import NIOHTTP1

/// The last handler of a caller's connection: routes each request, answers control routes and
/// gateway-made errors itself, and forwards machine traffic to the connector's executor over a
/// pooled upstream connection on the same event loop, streaming both bodies with back-pressure.
final class ProxyHandler: ChannelDuplexHandler, UpstreamDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    enum State {
        case idle
        /// A response was made here; the rest of the request body is dropped.
        case local
        case proxying
        /// The response is complete; the rest of the request body is dropped.
        case draining
    }

    let holder: ProxyContextHolder
    /// The context of the current request; refreshed from `holder` when its generation moves.
    private(set) var shared: ProxyContext
    private var generation: Int
    /// Routing decisions over `shared`.
    private var router: RequestRouter
    let pool: UpstreamPool
    private var context: ChannelHandlerContext?
    private var state = State.idle {
        didSet {
            if state == .idle, oldValue != .idle { timeouts?.requestFinished() }
            if state == .draining, oldValue != .draining { timeouts?.discardingBody() }
        }
    }
    /// The connection's timer for the time between requests (owned by the pipeline).
    private let timeouts: ClientTimeoutHandler?
    /// The current request announced a body (Content-Length above 0, or chunked): a local
    /// answer closes the connection rather than read a body nobody wants.
    private var requestDeclaresBody = false
    private var exchange: Exchange?
    private var readPending = false
    private var peerAddress = "unknown"
    private var ids = RequestIDGenerator()
    /// True while a batch of the caller's reads is being handled: upstream writes are flushed
    /// once at the end of the batch rather than after each part.
    private var inReadBatch = false
    /// The exchange's deadlines (first byte, idle, request body): one timer per connection.
    private lazy var watchdog = DeadlineTimer { [weak self] in self?.watchdogFired() }
    /// Parts of pipelined requests that arrived while a response was still in flight.
    private var pipelined = PipelineQueue()
    /// Set by graceful shutdown: finish the current response, then close.
    private var quiescing = false

    init(holder: ProxyContextHolder, pool: UpstreamPool, timeouts: ClientTimeoutHandler? = nil) {
        self.timeouts = timeouts
        self.holder = holder
        self.generation = holder.generation
        self.shared = holder.context
        self.router = RequestRouter(self.shared)
        self.pool = pool
    }

    /// The event loop's clock (a test's `EmbeddedEventLoop` moves it by hand).
    private var now: NIODeadline { context?.eventLoop.now ?? .now() }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let address = context.channel.remoteAddress?.ipAddress { peerAddress = address }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBatch = true
        let part = unwrapInboundIn(data)
        if isBusyWithPreviousRequest || !pipelined.isEmpty {
            pipelined.append(part)
            return
        }
        dispatch(part, context: context)
    }

    private func dispatch(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case let .head(head): handleHead(head, context: context)
        case let .body(buffer): handleBody(buffer)
        case let .end(trailers): handleEnd(trailers)
        }
    }

    /// A whole request was read and its response is still being made: anything read now
    /// belongs to the next (pipelined) request.
    private var isBusyWithPreviousRequest: Bool {
        state == .proxying && (exchange.map { $0.requestReceived && !$0.finished } ?? false)
    }

    /// Handles pipelined parts once the previous response is complete.
    private func dispatchPipelined() {
        guard let context else { return }
        while !isBusyWithPreviousRequest, let part = pipelined.popFirst() {
            dispatch(part, context: context)
        }
        // Parts dispatched here arrived in an earlier read batch: nothing else will flush them.
        if let exchange, exchange.upstreamNeedsFlush, let connection = exchange.connection {
            exchange.upstreamNeedsFlush = false
            connection.handler.flush()
        }
        if readPending && !pipelined.isFull && !isHoldingReadsForUpstream {
            readPending = false
            context.read()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBatch = false
        if let exchange, exchange.upstreamNeedsFlush, let connection = exchange.connection {
            exchange.upstreamNeedsFlush = false
            connection.handler.flush()
        }
    }

    func read(context: ChannelHandlerContext) {
        if isHoldingReadsForUpstream || pipelined.isFull {
            readPending = true  // resumed when the upstream can take more, or the queue drains
            return
        }
        context.read()
    }

    /// The request body has nowhere to go yet (no upstream connection) or the upstream is not
    /// writable: reading more would only pile bytes up in memory.
    private var isHoldingReadsForUpstream: Bool {
        guard state == .proxying, let exchange, !exchange.finished, !exchange.requestReceived,
              !exchange.bufferRequestBody else { return false }
        return exchange.connection.map { !$0.channel.isWritable } ?? true
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            if state == .idle || state == .local, pipelined.isEmpty { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let connection = exchange?.connection {
            if context.channel.isWritable { connection.handler.resumeReads() } else { connection.handler.pauseReads() }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchdog.cancel()
        if let exchange, !exchange.finished {
            if let connection = exchange.connection {
                exchange.connection = nil
                pool.discard(connection)
            }
            finish(exchange, status: 499, error: "client_closed")
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        shared.logger.debug("caller connection error", metadata: ["gateway.error": "\(error)"])
        if error is HTTPParserError {
            // The caller's bytes are not HTTP/1.1: a 400 when no response is under way, then close.
            let refusal = ProxyError(
                .badRequest, status: 400, title: "Malformed request",
                detail: "The request is not valid HTTP/1.1 (\(error)); the connection is closed.")
            if let exchange, !exchange.finished {
                if exchange.responseHeadSent { abort(exchange, error: refusal) } else { respondError(exchange, refusal, close: true) }
                return
            }
            if let timeouts {
                timeouts.writeRawAndClose(RawErrorResponse.bytes(refusal, allocator: context.channel.allocator))
                return
            }
        }
        context.close(promise: nil)
    }

    // MARK: - Request

    private func handleHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        timeouts?.requestStarted()
        let current = holder.generation
        if current != generation {
            generation = current
            shared = holder.context
            router = RequestRouter(shared)
        }
        let requestID = RequestID.accept(head.headers.first(name: "x-request-id")) ?? RequestID.generate(using: &ids)
        // One pass over the caller's headers for everything routing and framing need.
        let summary = RequestHeadSummary(head.headers)
        requestDeclaresBody = summary.declaresBody
        switch router.route(head, summary: summary, requestID: requestID, peerAddress: peerAddress) {
        case let .control(path):
            respondControl(head, path: path, requestID: requestID, context: context)
        case let .reject(refusal):
            respondLocal(head, refusal.error, format: refusal.format, connector: refusal.connector, requestID: requestID,
                         principal: refusal.principal, close: refusal.close)
        case let .forward(plan):
            let exchange = Exchange(
                target: plan.target, clientHead: head, upstreamHead: plan.upstreamHead, requestID: requestID,
                principal: plan.principal, format: plan.format, expectsContinue: plan.expectsContinue, limits: shared.limits,
                started: now)
            exchange.rewriter = plan.rewriter
            exchange.bufferRequestBody = plan.bufferRequestBody
            self.exchange = exchange
            state = .proxying
            shared.metrics.requestStarted()
            armWatchdog(exchange)  // the request body deadline runs from now
            connect(exchange, fresh: false)
        }
    }

    private func handleBody(_ buffer: ByteBuffer) {
        guard state == .proxying, let exchange, !exchange.finished else { return }
        exchange.requestBodyBytes += buffer.readableBytes
        exchange.lastActivity = now
        if exchange.requestBodyBytes > exchange.target.maxBodyBytes {
            respondError(exchange, .bodyTooLarge(exchange.target), close: true)
            return
        }
        if exchange.bufferRequestBody {
            guard exchange.requestBodyBytes <= shared.limits.maxBufferedBodyBytes else {
                respondError(exchange, .bodyTooLargeToRewrite(exchange.target, limit: shared.limits.maxBufferedBodyBytes), close: true)
                return
            }
            var buffer = buffer
            if exchange.requestBuffer == nil {
                exchange.requestBuffer = buffer
            } else {
                exchange.requestBuffer!.writeBuffer(&buffer)
            }
            return
        }
        if let connection = exchange.connection {
            connection.handler.write(.body(.byteBuffer(buffer)))
            exchange.sentBodyParts += 1
            exchange.upstreamNeedsFlush = true
        } else {
            exchange.buffered.append(.body(.byteBuffer(buffer)))
        }
    }

    private func handleEnd(_ trailers: HTTPHeaders?) {
        switch state {
        case .idle:
            return
        case .local, .draining:
            state = .idle
        case .proxying:
            guard let exchange else { state = .idle; return }
            exchange.requestReceived = true
            if exchange.finished {
                state = .idle
                return
            }
            if exchange.bufferRequestBody {
                completeBufferedRequest(exchange, trailers: trailers)
                return
            }
            let trailers = RequestRewriter.upstreamTrailers(trailers, target: exchange.target)
            if let connection = exchange.connection {
                connection.handler.write(.end(trailers))
                exchange.upstreamNeedsFlush = true  // flushed at the end of this read batch
                exchange.requestSent = true
                exchange.requestSentAt = now
                armWatchdog(exchange)
            } else {
                exchange.buffered.append(.end(trailers))
            }
        }
    }

    // MARK: - Upstream connection

    private func connect(_ exchange: Exchange, fresh: Bool) {
        pool.acquire(exchange.target, fresh: fresh) { result in
            switch result {
            case let .success((connection, reused)):
                guard self.exchange === exchange, !exchange.finished, self.context != nil else {
                    self.pool.release(connection)
                    return
                }
                self.attach(connection, reused: reused, to: exchange)
            case let .failure(error):
                guard self.exchange === exchange, !exchange.finished else { return }
                self.respondError(exchange, UpstreamFailure.proxyError(for: error, target: exchange.target))
            }
        }
    }

    private func attach(_ connection: UpstreamConnection, reused: Bool, to exchange: Exchange, reattach: Bool = false) {
        guard let context else { return }
        exchange.connection = connection
        exchange.reusedConnection = reused
        if !reattach { exchange.attempts += 1 }
        connection.handler.delegate = self
        if context.channel.isWritable { connection.handler.resumeReads() } else { connection.handler.pauseReads() }
        if exchange.expectsContinue, !exchange.requestReceived, exchange.attempts == 1, !reattach {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.clientHead.version, status: .continue))), promise: nil)
        }
        exchange.upstreamStarted = now
        if exchange.bufferRequestBody && !exchange.requestReceived {
            armWatchdog(exchange)  // the head goes out with the rewritten body, once it is complete
            if readPending {
                readPending = false
                context.read()
            }
            return
        }
        connection.handler.write(.head(exchange.upstreamHead))
        for part in exchange.buffered {
            if case .end = part {
                exchange.requestSent = true
                exchange.requestSentAt = exchange.upstreamStarted
            } else {
                exchange.sentBodyParts += 1
            }
            connection.handler.write(part)
        }
        exchange.buffered.removeAll()
        if inReadBatch {
            exchange.upstreamNeedsFlush = true  // more of the request may follow in this batch
        } else {
            connection.handler.flush()
        }
        armWatchdog(exchange)
        if readPending, connection.channel.isWritable {
            readPending = false
            context.read()
        }
    }

    /// The whole request body of a rewriting route has arrived: rewrite it, fix its length,
    /// and send the request (now, or when the upstream connection is ready).
    private func completeBufferedRequest(_ exchange: Exchange, trailers: HTTPHeaders?) {
        var body = exchange.requestBuffer ?? ByteBuffer()
        exchange.requestBuffer = nil
        if let rewriter = exchange.rewriter { body = rewriter.bodyToUpstream(body) }
        var head = exchange.upstreamHead
        head.headers.remove(name: "transfer-encoding")
        head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        exchange.upstreamHead = head
        exchange.bufferRequestBody = false
        // A rewritten body goes out with a Content-Length: trailers have no place there.
        exchange.buffered = body.readableBytes > 0 ? [.body(.byteBuffer(body)), .end(nil)] : [.end(nil)]
        if let connection = exchange.connection {
            exchange.connection = nil
            attach(connection, reused: exchange.reusedConnection, to: exchange, reattach: true)
        }
    }

    // MARK: - UpstreamDelegate

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        guard let exchange, !exchange.finished, let context else { return }
        exchange.lastActivity = now
        switch part {
        case let .head(head):
            let code = head.status.code
            if code == 101 {
                // No upgrade was asked for (the gateway refuses them): the connection now speaks
                // another protocol and can never be pooled again.
                upstreamEnded(exchange, error: ProxyError(
                    .upstreamProtocol, status: 502, title: "Upstream switched protocols",
                    detail: "Connector '\(exchange.target.connector)' answered 101 Switching Protocols to a request that asked for no upgrade."))
                return
            }
            if code < 200 { return }  // informational answers are not forwarded
            if let started = exchange.upstreamStarted {
                exchange.upstreamSeconds = Double((now - started).nanoseconds) / 1e9
            }
            exchange.responseStatus = Int(code)
            exchange.responseKeepAlive = head.isKeepAlive
            var headers = HopByHop.clientResponseHeaders(head.headers, requestID: exchange.requestID)
            if let rewriter = exchange.rewriter {
                for name in ["location", "content-location"] {
                    if let value = headers.first(name: name) { headers.replaceOrAdd(name: name, value: rewriter.headerToGateway(value)) }
                }
            }
            // An HTTP/1.0 caller cannot read chunked framing: a body without a length is
            // delimited by closing the connection.
            let bodyWithoutLength = exchange.clientHead.version.minor == 0 && exchange.clientHead.version.major == 1
                && exchange.clientHead.method != .HEAD && code != 204 && code != 304 && headers["content-length"].isEmpty
                && !(exchange.rewriter != nil && URLRewriter.isJSON(headers.first(name: "content-type")))
            if !exchange.keepAliveClient || quiescing || bodyWithoutLength {
                exchange.keepAliveClient = false
                headers.add(name: "connection", value: "close")
            }
            let responseHead = HTTPResponseHead(version: exchange.clientHead.version, status: head.status, headers: headers)
            if exchange.rewriter != nil, URLRewriter.isJSON(headers.first(name: "content-type")),
               exchange.clientHead.method != .HEAD, code != 204, code != 304
            {
                exchange.pendingResponseHead = responseHead  // sent with the rewritten body
                armWatchdog(exchange)
                return
            }
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            exchange.responseHeadSent = true
            exchange.clientNeedsFlush = true
            armWatchdog(exchange)  // from now on the idle deadline applies, which may be sooner
        case var .body(buffer):
            if exchange.pendingResponseHead != nil {
                guard (exchange.responseBuffer?.readableBytes ?? 0) + buffer.readableBytes <= shared.limits.maxBufferedBodyBytes else {
                    upstreamEnded(exchange, error: ProxyError(
                        .limit, status: 502, title: "Upstream response too large to rewrite",
                        detail: "The JSON response of '\(exchange.target.connector)' exceeds \(shared.limits.maxBufferedBodyBytes) bytes, the most the gateway buffers to rewrite upstream URLs (gateway.limits.max_buffered_body_bytes)."))
                    return
                }
                if exchange.responseBuffer == nil {
                    exchange.responseBuffer = buffer
                } else {
                    exchange.responseBuffer!.writeBuffer(&buffer)
                }
                return
            }
            exchange.responseBodyBytes += buffer.readableBytes
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            exchange.clientNeedsFlush = true
        case let .end(trailers):
            if var head = exchange.pendingResponseHead, let rewriter = exchange.rewriter {
                let body = rewriter.bodyToGateway(exchange.responseBuffer ?? ByteBuffer())
                exchange.responseBuffer = nil
                head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
                exchange.pendingResponseHead = nil
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                exchange.responseHeadSent = true
                exchange.responseBodyBytes = body.readableBytes
                if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
            }
            exchange.clientNeedsFlush = false
            let done = context.writeAndFlush(wrapOutboundOut(.end(trailers)))
            if !exchange.keepAliveClient || quiescing {
                done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
            if let connection = exchange.connection {
                exchange.connection = nil
                if exchange.requestSent && exchange.responseKeepAlive {
                    pool.release(connection)
                } else {
                    pool.discard(connection)  // answered early, or the upstream will close it
                }
            }
            state = exchange.requestReceived ? .idle : .draining
            finish(exchange, status: exchange.responseStatus, error: nil)
            dispatchPipelined()
        }
    }

    func upstreamReadComplete() {
        guard let exchange, exchange.clientNeedsFlush, let context else { return }
        exchange.clientNeedsFlush = false
        context.flush()
    }

    func upstreamWritabilityChanged(_ writable: Bool) {
        if writable, readPending, let context {
            readPending = false
            context.read()
        }
    }

    func upstreamFailed(_ error: any Error) {
        guard let exchange, !exchange.finished else { return }
        upstreamEnded(exchange, error: UpstreamFailure.proxyError(for: error, target: exchange.target))
    }

    func upstreamClosed() {
        guard let exchange, !exchange.finished else { return }
        upstreamEnded(exchange, error: UpstreamFailure.closedBeforeAnswer(exchange.target))
    }

    /// The upstream connection broke before the exchange completed.
    private func upstreamEnded(_ exchange: Exchange, error: ProxyError) {
        if let connection = exchange.connection {
            exchange.connection = nil
            pool.discard(connection)
        }
        if exchange.responseHeadSent {
            abort(exchange, error: error)
        } else if exchange.reusedConnection, exchange.mayRetry, error.kind == .reset {
            // A pooled connection the upstream had already closed: try once on a fresh one.
            shared.logger.debug("retrying on a fresh upstream connection", metadata: [
                "gateway.connector": "\(exchange.target.connector)", "gateway.request_id": "\(exchange.requestID)",
            ])
            exchange.requestSent = false
            if exchange.requestReceived { exchange.buffered = [.end(nil)] }
            connect(exchange, fresh: true)
        } else {
            respondError(exchange, error)
        }
    }

    // MARK: - Timers

    /// Makes sure the connection's watchdog fires no later than the exchange's deadline.
    private func armWatchdog(_ exchange: Exchange) {
        guard let context else { return }
        watchdog.fire(noLaterThan: exchange.deadline, on: context.eventLoop)
    }

    private func watchdogFired() {
        guard let exchange, !exchange.finished else { return }
        if now < exchange.deadline {
            armWatchdog(exchange)
            return
        }
        if let body = exchange.bodyDeadline, now >= body {
            timedOut(exchange, ProxyError(
                .clientTimeout, status: 408, title: "Request body too slow",
                detail: "The request body of \(exchange.requestBodyBytes) bytes so far did not arrive in time (gateway.limits.request_body_timeout, request_body_min_rate)."))
            return
        }
        let waitingForAnswer = exchange.requestSent && !exchange.responseHeadSent
        timedOut(exchange, waitingForAnswer
            ? UpstreamFailure.firstByteTimeout(exchange.target) : UpstreamFailure.idleTimeout(exchange.target))
    }

    private func timedOut(_ exchange: Exchange, _ error: ProxyError) {
        if let connection = exchange.connection {
            exchange.connection = nil
            pool.discard(connection)
        }
        if exchange.responseHeadSent { abort(exchange, error: error) } else { respondError(exchange, error) }
    }

    // MARK: - Responses made here

    /// Answers a proxied request with a gateway-made error (nothing was sent to the caller yet).
    private func respondError(_ exchange: Exchange, _ error: ProxyError, close: Bool = false) {
        guard let context else { return }
        if let connection = exchange.connection {
            exchange.connection = nil
            pool.discard(connection)
        }
        // Mid-upload the rest of the body would have to be read and dropped: close instead
        // (a request without a body has only its end left to read).
        let mustClose = close || (!exchange.requestReceived && requestDeclaresBody) || !exchange.keepAliveClient
        write(.error(error, format: exchange.format, connector: exchange.target.connector, requestID: exchange.requestID),
              version: exchange.clientHead.version, method: exchange.clientHead.method, close: mustClose, context: context)
        state = exchange.requestReceived ? .idle : .draining
        finish(exchange, status: error.status, error: error.metricKind)
        dispatchPipelined()
    }

    /// The response had started: close the caller's connection so the truncation shows.
    private func abort(_ exchange: Exchange, error: ProxyError) {
        shared.logger.warning("aborting a response mid-stream", metadata: [
            "gateway.connector": "\(exchange.target.connector)", "gateway.request_id": "\(exchange.requestID)",
            "gateway.error": "\(error.detail)",
        ])
        finish(exchange, status: exchange.responseStatus, error: error.metricKind)
        context?.close(promise: nil)
    }

    private func respondLocal(
        _ head: HTTPRequestHead, _ error: ProxyError, format: ErrorResponse.Format, connector: String, requestID: String,
        principal: String, close: Bool = false
    ) {
        guard let context else { return }
        if head.method == .CONNECT, let timeouts {
            // NIO's response encoder drops the body of any response to CONNECT.
            timeouts.writeRawAndClose(RawErrorResponse.bytes(
                error, format: format, connector: connector.isEmpty ? nil : connector, requestID: requestID,
                allocator: context.channel.allocator))
        } else {
            write(.error(error, format: format, connector: connector.isEmpty ? nil : connector, requestID: requestID),
                  version: head.version, method: head.method, close: close || !head.isKeepAlive || requestDeclaresBody,
                  context: context)
        }
        state = .local
        // Only configured names become metric labels (unknown ones count as "(unknown)").
        shared.metrics.requestStarted()
        shared.metrics.requestFinished(connector: connector, method: head.method.rawValue, status: error.status,
                                       upstreamSeconds: nil, errorKind: error.metricKind)
        if shared.accessLog {
            AccessRecord(requestID: requestID, principal: principal, connector: connector, method: head.method.rawValue,
                         uri: head.uri, status: error.status, peer: peerAddress, error: error.metricKind).log(to: shared.logger)
        }
    }

    private func respondControl(_ head: HTTPRequestHead, path: Substring, requestID: String, context: ChannelHandlerContext) {
        let response = ControlRoutes.response(method: head.method, uri: head.uri, path: path, requestID: requestID, context: shared)
        write(response, version: head.version, method: head.method, close: !head.isKeepAlive, context: context)
        state = .local
    }

    private func write(_ response: LocalResponse, version: HTTPVersion, method: HTTPMethod, close: Bool, context: ChannelHandlerContext) {
        let close = close || quiescing
        context.write(wrapOutboundOut(.head(response.head(version: version, close: close))), promise: nil)
        if method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    // MARK: - Accounting

    private func finish(_ exchange: Exchange, status: Int, error: String?) {
        exchange.finished = true
        if self.exchange === exchange { self.exchange = nil }
        if readPending, !pipelined.isFull, let context {
            readPending = false
            context.read()
        }
        shared.metrics.requestFinished(
            connector: exchange.target.metricsIndex, method: exchange.clientHead.method.rawValue, status: status,
            upstreamSeconds: exchange.upstreamSeconds, errorKind: error)
        guard shared.accessLog else { return }
        AccessRecord(
            requestID: exchange.requestID, principal: exchange.principal, connector: exchange.target.connector,
            method: exchange.clientHead.method.rawValue, uri: exchange.clientHead.uri, status: status,
            bytesIn: exchange.requestBodyBytes, bytesOut: exchange.responseBodyBytes, upstreamSeconds: exchange.upstreamSeconds,
            totalSeconds: Double((now - exchange.started).nanoseconds) / 1e9, peer: peerAddress, error: error,
            runtimeAsset: exchange.target.runtimeAsset
        ).log(to: shared.logger)
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
