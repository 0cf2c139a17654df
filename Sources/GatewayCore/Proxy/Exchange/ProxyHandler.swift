import Logging
import NIOCore
import NIOHTTP1

/// The last handler of a caller's connection, I/O only: it feeds channel events to the
/// connection's state machine (and the exchange's inside it) and carries out the actions they
/// return. Routing is `RequestRouter`'s, decisions are the machines', bytes move here: control
/// routes and gateway-made errors are written, machine traffic goes to the connector's executor
/// over a pooled upstream connection on the same event loop, both bodies streamed with
/// back-pressure.
///
/// Its stored properties are `@exclusivity(unchecked)`, as are those of the other data-path
/// objects of a connection (the upstream handler, pool and connection, the exchange's box, the
/// timers): each lives on one event loop, and no access to one spans a call that could reach
/// it again (the machines are values that call nothing; writes and flushes, which may call
/// the handler back when a channel fails, are made outside any access to this state). Swift
/// checks every other class property at run time; on these the checks were about sixty calls
/// into the runtime per proxied request (`bench/counts`).
final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let holder: ProxyContextHolder
    /// The context of the current request; refreshed from `holder` when its generation moves.
    @exclusivity(unchecked) private(set) var shared: ProxyContext
    @exclusivity(unchecked) private var generation: Int
    @exclusivity(unchecked) private var router: RequestRouter
    let pool: UpstreamPool
    @exclusivity(unchecked) private(set) var context: ChannelHandlerContext?
    /// The response encoder's context: forwarded answers are bytes already framed, written
    /// past the encoder (which writes the gateway's own answers).
    @exclusivity(unchecked) private(set) var bytesContext: ChannelHandlerContext?
    /// The time without a request (before the first, between two), on a timer of its own.
    @exclusivity(unchecked) var clientTimeouts: ClientTimeouts
    let clientTimer = DeadlineTimer()
    @exclusivity(unchecked) var machine = CallerConnectionStateMachine()
    /// The upstream connection attached to the current exchange.
    @exclusivity(unchecked) var connection: UpstreamConnection?
    /// What the current exchange holds of the principal's and connector's in-flight caps, and
    /// a WebSocket handshake's tunnel slot.
    @exclusivity(unchecked) var admission: RequestLimits.Admission?
    @exclusivity(unchecked) var tunnelReservation: Tunnels.Reservation?
    /// Tells a pool answer for an earlier exchange from one for the current exchange.
    @exclusivity(unchecked) var exchangeSerial = 0
    @exclusivity(unchecked) private(set) var peerAddress = "unknown"
    /// The caller's requests, read out of its bytes.
    @exclusivity(unchecked) private var reader = RequestReader()
    @exclusivity(unchecked) var ids = RequestIDGenerator()
    /// True while a batch of the caller's reads is handled: upstream writes are flushed once at
    /// the end of the batch rather than after each part.
    @exclusivity(unchecked) private var inReadBatch = false
    @exclusivity(unchecked) private var upstreamNeedsFlush = false
    @exclusivity(unchecked) var callerNeedsFlush = false
    /// A forwarded answer's bytes not yet written (written at the flush).
    @exclusivity(unchecked) var callerBatch = WriteBatch()
    /// The last exchange's upstream head buffer, written into by the next one once nothing else
    /// refers to it (a request costs no allocation for it).
    @exclusivity(unchecked) var spareHead: ByteBuffer?
    /// The exchange's deadlines (first byte, idle, request body): one timer per connection.
    private let watchdog = DeadlineTimer()
    /// The clock as read at the start of the event being handled (`atOneInstant`).
    @exclusivity(unchecked) var eventNow: NIODeadline?

    let listener: ListenerKind
    /// The current exchange's spans, when tracing is on.
    @exclusivity(unchecked) var trace: ExchangeTrace?
    /// The client certificate of the connection's TLS handshake (read at the first request).
    lazy var callerCertificate = listener.tls ? context.flatMap { CallerCertificate.of($0.channel) } : nil

    /// `limits`: the caller limits of the connection (the context's when nil).
    init(holder: ProxyContextHolder, pool: UpstreamPool, limits: ClientLimits? = nil, listener: ListenerKind = .init()) {
        self.listener = listener
        self.clientTimeouts = ClientTimeouts(limits: limits ?? holder.context.limits)
        self.holder = holder
        self.generation = holder.generation
        self.shared = holder.context
        self.router = pool.routers.router(for: listener, context: self.shared)
        self.pool = pool
        watchdog.onFire = { [unowned(unsafe) self] in self.watchdogFired() }
        clientTimer.onFire = { [unowned(unsafe) self] in self.clientTimerFired() }
    }

    private var upstreamWritable: Bool { connection?.channel.isWritable ?? false }
    var quiescing: Bool { machine.quiescing }

    // MARK: - Caller events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        bytesContext = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        if let address = context.channel.remoteAddress?.ipAddress { peerAddress = address }
        armClientTimer(clientTimeouts.opened(now: context.eventLoop.now))
    }

    /// After a WebSocket handshake the handler leaves: what the caller sent past the request
    /// belongs to the tunnel, next in the pipeline.
    func handlerRemoved(context: ChannelHandlerContext) {
        if let leftover = reader.takeLeftover(), leftover.readableBytes > 0 {
            context.fireChannelRead(NIOAny(leftover))
            context.fireChannelReadComplete()
        }
        clientTimer.cancel()
        watchdog.cancel()
        self.context = nil
        bytesContext = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBatch = true
        reader.received(unwrapInboundIn(data))
        atOneInstant {
            armClientTimer(clientTimeouts.bytesArrived(now: now))
            while self.context != nil, let event = reader.next() {
                switch consume event {
                case let .part(part):
                    handle(machine.received(part, now: now))
                case let .refused(reason): return refuseBytes(.malformedRequest(reason))
                case .tooLarge: return refuseBytes(.headTooLarge(limit: reader.maxHeadBytes))
                }
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBatch = false
        flushUpstream()
    }

    func read(context: ChannelHandlerContext) {
        if machine.readRequested(upstreamWritable: upstreamWritable) { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        if machine.quiesce() { context.close(promise: nil) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let connection {
            if context.channel.isWritable { connection.handler.resumeReads() } else { connection.handler.pauseReads() }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchdog.cancel()
        clientTimer.cancel()
        exchangeEvent { $0.callerClosed() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        shared.logger.debug("caller connection error", metadata: ["gateway.error": "\(error)"])
        context.close(promise: nil)
    }

    private func handle(_ read: consuming CallerConnectionStateMachine.ReadAction) {
        switch consume read {
        case .queued, .dropped: return
        case .requestDone: armClientTimer(clientTimeouts.requestFinished(now: now))
        case let .route(head): route(head)
        case let .exchange(action): run(action)
        }
    }

    // MARK: - Routing

    /// `head` moves into the exchange when the request is forwarded.
    private func route(_ head: consuming CallerRequestHead) {
        clientTimeouts.requestStarted()
        let current = holder.generation
        if current != generation {
            generation = current
            shared = holder.context
            router = pool.routers.router(for: listener, context: shared)
        }
        // One pass over the caller's fields for everything routing and framing need.
        let summary = RequestHeadSummary(head)
        let requestID = RequestID.accept(summary.requestID.map(head.text)) ?? RequestID.generate(using: &ids)
        var spare: ByteBuffer?
        swap(&spare, &spareHead)  // moved, not copied: a second reference would make it new memory
        switch router.route(
            head, summary: summary, requestID: requestID, peerAddress: peerAddress, certificate: callerCertificate,
            reusing: consume spare)
        {
        case let .control(path):
            let response = ControlRoutes.response(
                method: head.method, uri: head.uri, path: path, requestID: requestID, context: shared, tunnels: holder.tunnels)
            write(response, version: head.version, method: head.method, close: !head.isKeepAlive)
            machine.answeredLocally()
        case let .reject(refusal):
            refuse(head, refusal, requestID: requestID, declaresBody: summary.declaresBody)
            machine.answeredLocally()
        case let .forward(plan):
            guard admit(plan, head: head, requestID: requestID, declaresBody: summary.declaresBody) else {
                return machine.answeredLocally()
            }
            exchangeSerial &+= 1
            pool.counters.requestStarted()
            startTrace(head, plan: plan, requestID: requestID)
            let target = plan.target
            // The plan moves into the exchange (its fields are not copied one by one).
            machine.started(
                ExchangeStateMachine(
                    plan: consume plan, clientHead: head, requestID: requestID, declaresBody: summary.declaresBody,
                    limits: shared.limits, now: now))
            armWatchdog()  // the request body deadline runs from now
            acquire(target, fresh: false)
        }
    }

    private func watchdogFired() {
        atOneInstant {
            let now = self.now
            exchangeEvent { $0.deadlineReached(now: now) }
        }
    }

    // MARK: - Actions

    /// Feeds one event to the current exchange and carries out its action.
    func exchangeEvent(_ event: (inout ExchangeStateMachine) -> ExchangeStateMachine.Action) {
        guard let current = machine.exchange else { return }
        run(event(&current.machine))
    }

    private func run(_ action: ExchangeStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case let .sendRequest(sendContinue, head, parts):
            if sendContinue, let version = machine.exchange?.machine.clientHead.version {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .continue))), promise: nil)
            }
            if let connection, head != nil || !parts.isEmpty {
                if var head {
                    traceAttempt(&head)
                    connection.handler.write(.head(head))
                }
                for part in parts { connection.handler.write(part) }
                upstreamNeedsFlush = true
                if !inReadBatch { flushUpstream() }  // else at the end of the batch: more may follow
            }
            if machine.resumeRead(upstreamWritable: upstreamWritable) { context.read() }
        case let .forwardRequestPart(part):
            connection?.handler.write(part)
            upstreamNeedsFlush = true  // at the end of this read batch
        case let .sendResponseHead(head):
            writeBytes(head)
            callerNeedsFlush = true
        case let .forwardResponseBody(buffer, chunkFramed):
            writeBytes(buffer, chunkFramed: chunkFramed)
            callerNeedsFlush = true
        case let .completeResponse(head, body, lastChunk, reuseUpstream, closeCaller):
            if let head { writeBytes(head) }
            if let body { writeBytes(body, chunkFramed: false) }
            callerNeedsFlush = false
            endBytes(lastChunk: lastChunk, thenClose: closeCaller)
            letGoOfConnection(reuse: reuseUpstream)
            exchangeEnded()
        case let .respondError(error, closeCaller):
            letGoOfConnection(reuse: false)
            if let exchange = machine.exchange?.machine {
                write(
                    .error(error, format: exchange.format, connector: exchange.target.connector, requestID: exchange.requestID),
                    version: exchange.clientHead.version, method: exchange.clientHead.method, close: closeCaller)
            }
            exchangeEnded()
        case let .abort(error):
            if let exchange = machine.exchange?.machine {
                shared.logger.warning(
                    "aborting a response mid-stream",
                    metadata: traceMetadata([
                        "gateway.connector": "\(exchange.target.connector)", "gateway.request_id": "\(exchange.requestID)",
                        "gateway.error": "\(error.detail)",
                    ]))
            }
            letGoOfConnection(reuse: false)
            exchangeEnded(next: false)
            callerBatch.drop()
            context.close(promise: nil)
        case let .openTunnel(head):
            return openTunnel(head, context: context)
        case .retryOnFreshConnection:
            guard let exchange = machine.exchange?.machine else { return }
            shared.logger.debug(
                "retrying on a fresh upstream connection",
                metadata: traceMetadata([
                    "gateway.connector": "\(exchange.target.connector)", "gateway.request_id": "\(exchange.requestID)",
                ]))
            trace?.attemptFailed(UpstreamFailure.closedBeforeAnswer(exchange.target))
            letGoOfConnection(reuse: false)
            acquire(exchange.target, fresh: true)
        case .abandon:
            letGoOfConnection(reuse: false)
            exchangeEnded(next: false)
        }
        armWatchdog()
    }

    private func flushUpstream() {
        guard upstreamNeedsFlush, let connection else { return }
        upstreamNeedsFlush = false
        connection.handler.flush()
    }

    /// The exchange is done with its upstream connection: back to the pool, or closed.
    private func letGoOfConnection(reuse: Bool) {
        guard let connection else { return }
        self.connection = nil
        upstreamNeedsFlush = false
        if reuse { pool.release(connection, now: now) } else { pool.discard(connection) }
    }

    /// Makes sure the watchdog fires no later than the current exchange's deadline.
    private func armWatchdog() {
        guard context != nil, let current = machine.exchange, !current.machine.isFinished else { return }
        watchdog.fire(noLaterThan: current.machine.deadline, on: self.context!.eventLoop)
    }

    /// Accounts for the finished exchange, then goes on with the connection: the next
    /// pipelined request (`next`), a held read.
    func exchangeEnded(next: Bool = true) {
        let (phase, ended) = machine.exchangeEnded()
        if let ended {
            account(ended)
            let bytes = ended.machine.upstreamHead.bytes
            if bytes.capacity <= WriteBatch.spareLimit * 2 { spareHead = bytes }
        }
        releaseAdmission()
        switch phase {
        case .idle: armClientTimer(clientTimeouts.requestFinished(now: now))
        case .draining: armClientTimer(clientTimeouts.discardingBody(now: now))
        case .answered, .proxying: break
        }
        guard next, let context else { return }
        let now = self.now
        while let read = machine.nextPipelined(now: now) { handle(read) }
        // Parts dispatched here arrived in an earlier read batch: nothing else flushes them.
        flushUpstream()
        if machine.resumeRead(upstreamWritable: upstreamWritable) { context.read() }
    }
}
