import NIOCore
import NIOHTTP1

/// What the handler writes itself (control routes, refusals, gateway-made errors), and the
/// accounting of each finished exchange.
extension ProxyHandler {
    /// Writes a local response in one go, closing the connection afterwards when asked (or
    /// when the gateway is draining).
    func write(_ response: LocalResponse, version: HTTPVersion, method: HTTPMethod, close: Bool) {
        guard let context else { return }
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

    /// Answers a request the router refused, counts it and logs its access line.
    func refuse(_ head: HTTPRequestHead, _ refusal: RouteDecision.Refusal, requestID: String, declaresBody: Bool) {
        guard let context else { return }
        let connector = refusal.connector.isEmpty ? nil : refusal.connector
        if head.method == .CONNECT, let timeouts {
            // NIO's response encoder drops the body of any response to CONNECT.
            timeouts.writeRawAndClose(
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

    /// Metrics and the access line of a finished exchange.
    func account(_ exchange: ExchangeStateMachine) {
        let (status, error) = exchange.outcome
        pool.counters.requestFinished(
            connector: exchange.target.metricsIndex, method: exchange.clientHead.method.rawValue, status: status,
            upstreamSeconds: exchange.upstreamSeconds, errorKind: error, upstreamThrottled: exchange.upstreamThrottled)
        let trace = finishTrace(exchange)
        guard shared.accessLog else { return }
        AccessRecord(
            requestID: exchange.requestID, principal: exchange.principal, auth: exchange.auth, connector: exchange.target.connector,
            method: exchange.clientHead.method.rawValue, uri: exchange.clientHead.uri, status: status,
            bytesIn: exchange.requestBodyBytes, bytesOut: exchange.responseBodyBytes, upstreamSeconds: exchange.upstreamSeconds,
            totalSeconds: Double((now - exchange.started).nanoseconds) / 1e9, peer: peerAddress, error: error,
            runtimeAsset: exchange.target.runtimeAsset, trace: trace
        ).log(to: shared.logger)
    }
}
