import NIOCore
import NIOHTTP1

/// One proxied request and its response, as a value. The caller's request, the upstream
/// connection and the response each have a state; every event returns the one `Action` the
/// channel handler carries out. No I/O and no clock here (events carry `now`), so every
/// transition can be tested as plain values.
struct ExchangeStateMachine {
    /// The caller's request, as it arrives.
    enum RequestState {
        /// Body parts go upstream as they arrive.
        case streaming
        /// A route that rewrites URLs: the body is collected, rewritten once complete.
        case collecting(ByteBuffer?)
        /// All of the request was received.
        case complete
    }

    /// The upstream connection the exchange uses.
    enum UpstreamState {
        /// Waiting for the pool; `pending` is what goes upstream right after the head.
        case acquiring(pending: [UpstreamRequestPart])
        /// `reused`: it came from the pool (a failure before the answer may be the pool's fault).
        case attached(reused: Bool, sent: Progress)
        /// Given back to the pool or closed: the exchange is over.
        case released
    }

    /// How much of the request went upstream on the attached connection.
    enum Progress {
        case nothing
        case head
        /// All of it, at that time (the first-byte wait starts there).
        case all(at: NIODeadline)
    }

    /// The response, as the caller sees it.
    enum ResponseState {
        case awaitingHead
        /// A JSON answer of a rewriting route: its head waits for the rewritten body. Boxed
        /// (`indirect`), as `switching` is: the other states are a few bytes, and the state is
        /// copied whenever it is switched over.
        indirect case collecting(CallerResponseHead, ByteBuffer?)
        /// `chunkFramed`: the gateway frames the body in chunks (the upstream ends it by
        /// closing, the caller reads chunks).
        case streaming(chunkFramed: Bool)
        /// The upstream accepted a WebSocket handshake (101): the tunnel opens at the answer's end.
        indirect case switching(HTTPResponseHead)
        case finished
    }

    /// What the handler does after an event.
    enum Action {
        case none
        /// A connection was attached: (`100 Continue` to the caller,) the upstream head if
        /// one is due, and the parts read so far.
        case sendRequest(sendContinue: Bool, head: UpstreamRequestHead?, parts: [UpstreamRequestPart])
        /// The next part of the request for the upstream (flushed at the end of the read batch).
        case forwardRequestPart(UpstreamRequestPart)
        case sendResponseHead(CallerResponseHead)
        case forwardResponseBody(ByteBuffer, chunkFramed: Bool)
        /// The response is complete: write what was held back (a rewritten head and body) and
        /// the last chunk when the gateway frames the body; pool the upstream connection or
        /// close it; close the caller's if asked.
        case completeResponse(
            head: CallerResponseHead?, body: ByteBuffer?, lastChunk: Bool, reuseUpstream: Bool, closeCaller: Bool)
        /// Nothing of the response was sent: close the upstream connection, answer with an error.
        case respondError(ProxyError, closeCaller: Bool)
        /// The response had started: close both connections, so the truncation shows.
        case abort(ProxyError)
        /// The upstream switched to WebSocket: send the caller this 101, then relay bytes both
        /// ways (the connection leaves the pool).
        case openTunnel(HTTPResponseHead)
        /// A pooled connection the upstream had closed: close it, try once on a fresh one.
        case retryOnFreshConnection
        /// The caller left: close the upstream connection.
        case abandon
    }

    // Set by the events below and in ExchangeStateMachine+Response.swift only.
    let target: UpstreamTarget
    let clientHead: CallerRequestHead
    var upstreamHead: UpstreamRequestHead
    let requestID: String
    let principal: String
    let auth: AuthMethod?
    let format: ErrorResponse.Format
    let started: NIODeadline
    let rewriter: URLRewriter?
    /// A WebSocket handshake (the router checked it).
    let upgrade: Bool
    let expectsContinue: Bool
    /// The request announced a body: an early error closes rather than read what nobody wants.
    let declaresBody: Bool
    let limits: ClientLimits
    /// The target's timeouts, kept as values: the watchdog asks for the deadline after every
    /// action, and reading them through `target` costs a retain and a release each time.
    let firstByteTimeout: TimeAmount
    let idleTimeout: TimeAmount

    var request: RequestState
    var upstream = UpstreamState.acquiring(pending: [])
    var response = ResponseState.awaitingHead

    var keepAliveClient: Bool
    var attempts = 0
    var requestBodyBytes = 0
    var responseBodyBytes = 0
    var responseStatus = 0
    var responseKeepAlive = true
    var lastActivity: NIODeadline
    var upstreamStarted: NIODeadline?
    var upstreamSeconds: Double?
    /// The upstream said it is overloaded: 429 or 503 with `Retry-After` (passed on as is).
    var upstreamThrottled = false
    /// Status and error kind for the access line and metrics, once finished.
    var outcome: (status: Int, error: String?) = (0, nil)

    init(
        plan: consuming RouteDecision.ForwardPlan, clientHead: consuming CallerRequestHead, requestID: String, declaresBody: Bool,
        limits: ClientLimits, now: NIODeadline
    ) {
        target = plan.target
        self.clientHead = clientHead
        upstreamHead = plan.upstreamHead
        self.requestID = requestID
        principal = plan.principal
        auth = plan.auth
        format = plan.format
        started = now
        lastActivity = now
        rewriter = plan.rewriter
        upgrade = plan.upgrade
        expectsContinue = plan.expectsContinue
        self.declaresBody = declaresBody
        self.limits = limits
        firstByteTimeout = plan.target.firstByteTimeout
        idleTimeout = plan.target.idleTimeout
        // After a handshake the caller's parser reads no further request: one exchange only.
        keepAliveClient = clientHead.isKeepAlive && !plan.upgrade
        request = plan.bufferRequestBody ? .collecting(nil) : .streaming
    }

    // MARK: - Facts the handler asks

    // Inlined: asked of the machine where the connection keeps it (`CurrentExchange`), a getter
    // that is called takes the whole machine as its argument, a copy of its 650-odd bytes.

    @inline(__always)
    var isFinished: Bool { if case .finished = response { true } else { false } }
    @inline(__always)
    var isRequestComplete: Bool { if case .complete = request { true } else { false } }
    /// Caller bytes have nowhere to go until a connection is attached (a collecting route
    /// keeps reading: its body waits in memory, within its limit).
    @inline(__always)
    var isWaitingForConnection: Bool {
        guard case .streaming = request, case .acquiring = upstream, !isFinished else { return false }
        return true
    }
    @inline(__always)
    var isStreamingToUpstream: Bool {
        guard case .streaming = request, case .attached = upstream, !isFinished else { return false }
        return true
    }

    /// When the exchange times out if nothing happens: the first-byte deadline while waiting for
    /// the answer, otherwise the idle deadline after the last activity (or the body deadline).
    @inline(__always)
    var deadline: NIODeadline {
        if case let .attached(_, .all(at: sent)) = upstream, case .awaitingHead = response {
            return sent + firstByteTimeout
        }
        let idle = lastActivity + idleTimeout
        if let body = bodyDeadline, body < idle { return body }
        return idle
    }

    /// While the body arrives: when it must be complete. The base timeout plus one second per
    /// `request_body_min_rate` bytes received, so only a trickle runs out of time.
    @inline(__always)
    var bodyDeadline: NIODeadline? {
        guard !isRequestComplete, limits.requestBodyMinRate > 0 else { return nil }
        return started + TimeAmount(seconds: limits.requestBodyTimeout)
            + .nanoseconds(Int64(requestBodyBytes) * 1_000_000_000 / Int64(limits.requestBodyMinRate))
    }

    // MARK: - The caller's request

    mutating func requestBodyReceived(_ buffer: ByteBuffer, now: NIODeadline) -> Action {
        guard !isFinished else { return .none }
        requestBodyBytes += buffer.readableBytes
        lastActivity = now
        if requestBodyBytes > target.maxBodyBytes { return fail(.bodyTooLarge(target), closeCaller: true) }
        switch request {
        case var .collecting(collected):
            guard requestBodyBytes <= limits.maxBufferedBodyBytes else {
                return fail(.bodyTooLargeToRewrite(target, limit: limits.maxBufferedBodyBytes), closeCaller: true)
            }
            request = .complete  // drops the reference, so the append below does not copy
            var buffer = buffer
            if collected == nil { collected = buffer } else { collected!.writeBuffer(&buffer) }
            request = .collecting(collected)
            return .none
        case .streaming:
            return sendOrHold(.body(buffer))
        case .complete:
            return .none
        }
    }

    mutating func requestEndReceived(_ trailers: HTTPHeaders?, now: NIODeadline) -> Action {
        let wasCollecting: ByteBuffer??
        if case let .collecting(body) = request { wasCollecting = .some(body) } else { wasCollecting = nil }
        request = .complete
        guard !isFinished else { return .none }
        guard let collected = wasCollecting else {
            return sendOrHold(.end(RequestRewriter.upstreamTrailers(trailers, target: target)), now: now)
        }
        // The rewritten body goes out with a Content-Length: trailers have no place there.
        var body = collected ?? ByteBuffer()
        if let rewriter { body = rewriter.bodyToUpstream(body) }
        upstreamHead.framing = .length(body.readableBytes)
        let parts: [UpstreamRequestPart] = body.readableBytes > 0 ? [.body(body), .end(nil)] : [.end(nil)]
        switch upstream {
        case .acquiring:
            upstream = .acquiring(pending: parts)
            return .none
        case let .attached(reused, _):
            upstream = .attached(reused: reused, sent: .all(at: now))
            upstreamStarted = now  // the upstream's time runs from when the request goes out
            return .sendRequest(sendContinue: false, head: upstreamHead, parts: parts)
        case .released:
            return .none
        }
    }

    /// A part of a streaming request: upstream now, or held until a connection is attached.
    private mutating func sendOrHold(_ part: UpstreamRequestPart, now: NIODeadline? = nil) -> Action {
        switch upstream {
        case var .acquiring(pending):
            upstream = .released  // drops the reference, so the append below does not copy
            pending.append(part)
            upstream = .acquiring(pending: pending)
            return .none
        case let .attached(reused, _):
            if let now { upstream = .attached(reused: reused, sent: .all(at: now)) }
            return .forwardRequestPart(part)
        case .released:
            return .none
        }
    }

    /// The caller's bytes stopped being HTTP/1.1.
    mutating func callerFailed(_ error: ProxyError) -> Action {
        guard !isFinished else { return .none }
        if case .streaming = response { return abort(error) }
        return fail(error, closeCaller: true)
    }

    /// The caller's connection closed before the response was complete.
    mutating func callerClosed() -> Action {
        guard !isFinished else { return .none }
        finish(status: 499, error: "client_closed")
        return .abandon
    }

    // MARK: - The upstream connection

    mutating func connectionAttached(reused: Bool, now: NIODeadline) -> Action {
        guard !isFinished, case let .acquiring(pending) = upstream else { return .none }
        attempts += 1
        upstreamStarted = now
        let sendContinue = expectsContinue && !isRequestComplete && attempts == 1
        if case .collecting = request {
            // The head goes out with the rewritten body, once it is complete.
            upstream = .attached(reused: reused, sent: .nothing)
            return .sendRequest(sendContinue: sendContinue, head: nil, parts: [])
        }
        let sentAll = pending.contains { if case .end = $0 { true } else { false } }
        upstream = .attached(reused: reused, sent: sentAll ? .all(at: now) : .head)
        return .sendRequest(sendContinue: sendContinue, head: upstreamHead, parts: pending)
    }

    /// The pool could not give a connection (refused, timed out, all busy).
    mutating func connectionFailed(_ error: ProxyError) -> Action {
        guard !isFinished else { return .none }
        return fail(error, closeCaller: false)
    }
}

extension ExchangeStateMachine {
    // MARK: - Ends

    /// Nothing was sent to the caller: an error answer. Mid-upload the rest of the body would
    /// have to be read and dropped: the connection closes instead (a bodiless request has only
    /// its end left to read).
    mutating func fail(_ error: ProxyError, closeCaller: Bool) -> Action {
        let close = closeCaller || (!isRequestComplete && declaresBody) || !keepAliveClient
        finish(status: error.status, error: error.metricKind)
        return .respondError(error, closeCaller: close)
    }

    mutating func abort(_ error: ProxyError) -> Action {
        finish(status: responseStatus, error: error.metricKind)
        return .abort(error)
    }

    mutating func finish(status: Int, error: String?) {
        outcome = (status, error)
        response = .finished
        upstream = .released
    }
}
