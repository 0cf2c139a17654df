import NIOCore
import NIOHTTP1

/// What the handler writes itself (control routes, refusals, gateway-made errors), and the
/// accounting of each finished exchange.
extension ProxyHandler {
    /// Writes a local response in one go, closing the connection afterwards when asked (or
    /// when the gateway is draining).
    func write(_ response: LocalResponse, version: HTTPVersion, method: HTTPMethod, close: Bool) {
        guard let context else { return }
        writeCallerBatch()
        let close = close || quiescing
        context.write(wrapOutboundOut(.head(response.head(version: version, close: close))), promise: nil)
        if method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: response.body)))), promise: nil)
        }
        writeEnd(nil, thenClose: close)
    }

    /// Ends a response; closes the connection once it is written when asked (a promise is made
    /// only then: most responses keep the connection).
    func writeEnd(_ trailers: HTTPHeaders?, thenClose close: Bool) {
        guard let context else { return }
        guard close else { return context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// The caller's bytes are no request the gateway reads: an error answer when no response is
    /// under way, then the connection closes.
    func refuseBytes(_ refusal: ProxyError) {
        guard let context else { return }
        if machine.exchange?.machine.isFinished == false {
            exchangeEvent { $0.callerFailed(refusal) }
        } else {
            writeRawAndClose(RawErrorResponse.bytes(refusal, allocator: context.channel.allocator))
        }
    }

    /// Writes a forwarded answer's head (its bytes, past the response encoder) into the write
    /// batch. Room is made for a small body behind it: the two usually leave in one write.
    func writeBytes(_ head: CallerResponseHead) {
        guard let bytesContext else { return }
        let body = head.upstream.scanned.fields.contentLength.map { $0 <= WriteBatch.copyLimit ? $0 : 0 } ?? 0
        let capacity = head.upstream.scanned.fields.end + 128 + body
        callerBatch.write(capacity: capacity) {
            head.write(into: &$0)
        } allocate: {
            bytesContext.channel.allocator.buffer(capacity: capacity)
        }
    }

    /// Writes forwarded body bytes, in a chunk of the gateway's when `chunkFramed`.
    func writeBytes(_ body: ByteBuffer, chunkFramed: Bool) {
        guard let bytesContext else { return }
        guard chunkFramed else { return forward(body) }
        guard body.readableBytes > 0 else { return }
        var prefix = bytesContext.channel.allocator.buffer(capacity: 18)
        prefix.writeString(String(body.readableBytes, radix: 16))
        prefix.writeStaticString("\r\n")
        forward(prefix)
        forward(body)
        forward(ByteBuffer(staticString: "\r\n"))
    }

    /// Ends a forwarded answer (with the gateway's last chunk when it framed the body) and
    /// flushes; closes the connection once it is written when asked.
    func endBytes(lastChunk: Bool, thenClose close: Bool) {
        guard let context, let bytesContext else { return }
        if lastChunk { forward(ByteBuffer(staticString: "0\r\n\r\n")) }
        guard close else {
            writeCallerBatch()
            return bytesContext.flush()
        }
        bytesContext.writeAndFlush(NIOAny(callerBatch.take() ?? ByteBuffer())).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// Adds forwarded bytes to the caller's write batch (written past the response encoder).
    private func forward(_ buffer: ByteBuffer) {
        guard let bytesContext else { return }
        callerBatch.add(buffer) { bytesContext.write(NIOAny($0), promise: nil) }
    }

    /// Writes what the caller's write batch holds: before a flush, and before any other write.
    func writeCallerBatch() {
        guard let bytesContext, let held = callerBatch.take() else { return }
        bytesContext.write(NIOAny(held), promise: nil)
    }

    /// Answers a request the router refused, counts it and logs its access line.
    func refuse(_ head: CallerRequestHead, _ refusal: RouteDecision.Refusal, requestID: String, declaresBody: Bool) {
        guard let context else { return }
        let connector = refusal.connector.isEmpty ? nil : refusal.connector
        if head.method == .CONNECT {
            // NIO's response encoder drops the body of any response to CONNECT.
            writeRawAndClose(
                RawErrorResponse.bytes(
                    refusal.error, format: refusal.format, connector: connector, requestID: requestID,
                    allocator: context.channel.allocator))
        } else {
            // Unread body bytes would be taken for the next request: close instead.
            write(
                .error(refusal.error, format: refusal.format, connector: connector, requestID: requestID),
                version: head.version, method: head.method, close: refusal.close || !head.isKeepAlive || declaresBody)
        }
        // Only configured names become metric labels (unknown ones count as "(unknown)").
        pool.counters.requestStarted()
        pool.counters.requestFinished(
            connector: shared.routes.metricsIndexes[refusal.connector] ?? 0, method: head.method.rawValue,
            status: refusal.error.status, upstreamSeconds: nil, errorKind: refusal.error.metricKind)
        let trace = traceAnswered(head, refusal: refusal, requestID: requestID)
        guard shared.accessLog else { return }
        AccessRecord(
            requestID: requestID, principal: refusal.principal, auth: refusal.auth, connector: refusal.connector,
            method: head.method.rawValue, uri: head.uri, status: refusal.error.status, peer: peerAddress,
            error: refusal.error.metricKind, trace: trace
        ).log(to: shared.logger)
    }

    /// Metrics and the access line of a finished exchange. Its fields are read where they lie
    /// (passing `ended.machine` on would copy all of it out of the box).
    func account(_ ended: CurrentExchange) {
        let outcome = ended.machine.outcome
        pool.counters.requestFinished(
            connector: ended.machine.target.metricsIndex, method: ended.machine.clientHead.method.rawValue, status: outcome.status,
            upstreamSeconds: ended.machine.upstreamSeconds, errorKind: outcome.error, upstreamThrottled: ended.machine.upstreamThrottled)
        let trace = finishTrace(outcome: outcome)
        guard shared.accessLog else { return }
        let exchange = ended.machine
        AccessRecord(
            requestID: exchange.requestID, principal: exchange.principal, auth: exchange.auth, connector: exchange.target.connector,
            method: exchange.clientHead.method.rawValue, uri: exchange.clientHead.uri, status: outcome.status,
            bytesIn: exchange.requestBodyBytes, bytesOut: exchange.responseBodyBytes, upstreamSeconds: exchange.upstreamSeconds,
            totalSeconds: Double((now - exchange.started).nanoseconds) / 1e9, peer: peerAddress, error: outcome.error,
            runtimeAsset: exchange.target.runtimeAsset, trace: trace
        ).log(to: shared.logger)
    }
}
