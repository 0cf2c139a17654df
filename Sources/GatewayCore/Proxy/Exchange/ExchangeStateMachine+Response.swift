import NIOCore
import NIOHTTP1

/// The upstream's answer, its failures and the exchange's deadlines.
extension ExchangeStateMachine {
    /// `quiescing`: the gateway is draining, the caller's connection closes after this response.
    mutating func responseHeadReceived(_ head: UpstreamResponseHead, quiescing: Bool, now: NIODeadline) -> Action {
        guard !isFinished, case .awaitingHead = response else { return .none }
        lastActivity = now
        let code = head.status
        if code == 101, upgrade {
            var headers = HopByHop.clientResponseHeaders(head, requestID: requestID)
            headers.add(name: "connection", value: "upgrade")
            headers.add(name: "upgrade", value: "websocket")
            responseStatus = 101
            if let upstreamStarted { upstreamSeconds = Double((now - upstreamStarted).nanoseconds) / 1e9 }
            response = .switching(HTTPResponseHead(version: clientHead.version, status: .switchingProtocols, headers: headers))
            return .none
        }
        if code == 101 {
            // No upgrade was asked for: the connection now speaks another protocol and can
            // never be pooled again.
            return upstreamFailed(
                ProxyError(
                    .upstreamProtocol, status: 502, title: "Upstream switched protocols",
                    detail: "Connector '\(target.connector)' answered 101 Switching Protocols to a request that asked for no upgrade."))
        }
        if code < 200 { return .none }  // informational answers are not forwarded
        if let upstreamStarted { upstreamSeconds = Double((now - upstreamStarted).nanoseconds) / 1e9 }
        responseStatus = code
        responseKeepAlive = head.keepAlive
        upstreamThrottled = (code == 429 || code == 503) && head.contains("retry-after")
        var callerHead = CallerResponseHead(upstream: head, version: clientHead.version, requestID: requestID)
        if let rewriter {
            if let value = head.first("location") { callerHead.replace("location", with: rewriter.headerToGateway(value)) }
            if let value = head.first("content-location") {
                callerHead.replace("content-location", with: rewriter.headerToGateway(value))
            }
        }
        let hasBody = clientHead.method != .HEAD && code != 204 && code != 304
        let rewritesBody = rewriter != nil && hasBody && URLRewriter.isJSON(head.first("content-type"))
        // Without a length, an HTTP/1.1 caller reads chunks (the upstream's as they are, or
        // the gateway's around a body the upstream ends by closing); an HTTP/1.0 caller cannot
        // read chunked framing: its body is delimited by closing the connection.
        let withoutLength = hasBody && !rewritesBody && !head.declaresLength
        let http10 = clientHead.version.minor == 0
        callerHead.chunked = withoutLength && !http10
        if !keepAliveClient || quiescing || (withoutLength && http10) {
            keepAliveClient = false
            callerHead.close = true
        }
        if rewritesBody {
            response = .collecting(callerHead, nil)  // sent with the rewritten body
            return .none
        }
        response = .streaming(chunkFramed: callerHead.chunked && !head.scanned.fields.chunked)
        return .sendResponseHead(callerHead)
    }

    /// How the upstream's chunked body is wanted: as framed when the caller reads the same
    /// chunks, its data only when the body is rewritten or the caller reads HTTP/1.0.
    @inline(__always)
    var responseBodyDelivery: ResponseReader.BodyDelivery {
        if case .collecting = response { return .data }
        return clientHead.version.minor == 0 ? .data : .framed
    }

    mutating func responseBodyReceived(_ buffer: ByteBuffer, now: NIODeadline) -> Action {
        lastActivity = now
        switch response {
        case let .streaming(chunkFramed):
            responseBodyBytes += buffer.readableBytes
            return .forwardResponseBody(buffer, chunkFramed: chunkFramed)
        case .collecting(let head, var collected):
            guard (collected?.readableBytes ?? 0) + buffer.readableBytes <= limits.maxBufferedBodyBytes else {
                return upstreamFailed(
                    ProxyError(
                        .limit, status: 502, title: "Upstream response too large to rewrite",
                        detail:
                            "The JSON response of '\(target.connector)' exceeds \(limits.maxBufferedBodyBytes) bytes, the most the gateway buffers to rewrite upstream URLs (gateway.limits.max_buffered_body_bytes)."
                    ))
            }
            response = .awaitingHead  // drops the reference, so the append below does not copy
            var buffer = buffer
            if collected == nil { collected = buffer } else { collected!.writeBuffer(&buffer) }
            response = .collecting(head, collected)
            return .none
        case .awaitingHead, .switching, .finished:
            return .none
        }
    }

    /// `reusable`: the upstream's framing ended the answer with nothing after it.
    mutating func responseEndReceived(reusable: Bool, quiescing: Bool) -> Action {
        var heldHead: CallerResponseHead?
        var heldBody: ByteBuffer?
        var lastChunk = false
        switch response {
        case let .streaming(chunkFramed):
            lastChunk = chunkFramed
        case let .switching(head):
            finish(status: 101, error: nil)
            return .openTunnel(head)
        case .collecting(var head, let collected):
            let body = rewriter.map { $0.bodyToGateway(collected ?? ByteBuffer()) } ?? (collected ?? ByteBuffer())
            head.replace("content-length", with: String(body.readableBytes))
            heldHead = head
            heldBody = body.readableBytes > 0 ? body : nil
            responseBodyBytes = body.readableBytes
        case .awaitingHead, .finished:
            return .none
        }
        // Pooled again only when all of the request went out and the upstream keeps the
        // connection open (an early answer leaves the request unfinished on the wire).
        var requestSent = false
        if case .attached(_, .all) = upstream { requestSent = true }
        finish(status: responseStatus, error: nil)
        return .completeResponse(
            head: heldHead, body: heldBody, lastChunk: lastChunk,
            reuseUpstream: requestSent && responseKeepAlive && reusable, closeCaller: !keepAliveClient || quiescing)
    }

    /// The upstream connection broke (reset, closed, a protocol error) before the exchange ended.
    mutating func upstreamFailed(_ error: ProxyError) -> Action {
        guard !isFinished else { return .none }
        if case .streaming = response { return abort(error) }
        if case .attached(reused: true, _) = upstream, case .awaitingHead = response, mayRetry, error.kind == .reset {
            upstream = .acquiring(pending: isRequestComplete ? [.end(nil)] : [])
            return .retryOnFreshConnection
        }
        return fail(error, closeCaller: false)
    }

    /// Idempotent methods may be retried once when nothing of the body was sent.
    private var mayRetry: Bool {
        guard attempts < 2, requestBodyBytes == 0 else { return false }
        switch clientHead.method {
        case .GET, .HEAD, .OPTIONS, .PUT, .DELETE, .TRACE: return true
        default: return false
        }
    }

    /// The timer fired: a time-out when `now` is past the deadline, else nothing (the handler
    /// arms the timer again for the later deadline).
    mutating func deadlineReached(now: NIODeadline) -> Action {
        guard !isFinished, now >= deadline else { return .none }
        let error: ProxyError
        if let body = bodyDeadline, now >= body {
            error = ProxyError(
                .clientTimeout, status: 408, title: "Request body too slow",
                detail:
                    "The request body of \(requestBodyBytes) bytes so far did not arrive in time (gateway.limits.request_body_timeout, request_body_min_rate)."
            )
        } else if case .attached(_, .all) = upstream, case .awaitingHead = response {
            error = UpstreamFailure.firstByteTimeout(target)
        } else {
            error = UpstreamFailure.idleTimeout(target)
        }
        if case .streaming = response { return abort(error) }
        return fail(error, closeCaller: false)
    }
}
