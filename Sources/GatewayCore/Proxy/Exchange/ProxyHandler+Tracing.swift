import Logging
import NIOHTTP1

/// The exchange's spans (when `gateway.telemetry` turns tracing on): where the handler starts,
/// feeds and ends them, and the ids its log lines carry. Without a tracer each is one nil check.
extension ProxyHandler {
    /// The server span of a forwarded request.
    func startTrace(_ head: CallerRequestHead, plan: RouteDecision.ForwardPlan, requestID: String) {
        guard let tracer = holder.tracer else { return }
        trace = ExchangeTrace(
            tracer,
            request: .init(
                head: head.httpRequestHead, connector: plan.target.connector, principal: plan.principal, requestID: requestID,
                peer: peerAddress, scheme: listener.tls ? "https" : "http", runtimeAsset: plan.target.runtimeAsset),
            random: &ids)
    }

    /// A request the gateway answered itself: its server span, begun and ended; the ids for its line.
    func traceAnswered(_ head: CallerRequestHead, refusal: RouteDecision.Refusal, requestID: String) -> TraceIDs? {
        guard let tracer = holder.tracer else { return nil }
        return ExchangeTrace.answered(
            tracer,
            request: .init(
                head: head.httpRequestHead, connector: refusal.connector, principal: refusal.principal, requestID: requestID,
                peer: peerAddress, scheme: listener.tls ? "https" : "http"), error: refusal.error, random: &ids)
    }

    /// An upstream attempt begins (a connection is sought): its client span.
    func traceAttemptStarted() {
        guard let trace, let current = machine.exchange else { return }
        trace.attemptStarted(
            method: current.machine.upstreamHead.method, target: current.machine.target, resendCount: current.machine.attempts)
    }

    /// The attempt's request goes out: its client span's context goes upstream in `head`.
    func traceAttempt(_ head: inout UpstreamRequestHead) {
        trace?.requestSent(&head)
    }

    /// Ends the spans of a finished exchange; the ids for its access line.
    func finishTrace(outcome: (status: Int, error: String?)) -> TraceIDs? {
        guard let trace else { return nil }
        self.trace = nil
        let (status, error) = outcome
        trace.finish(status: status, error: error)
        return trace.ids
    }

    /// `metadata` with the current exchange's trace and span ids, when it is traced.
    func traceMetadata(_ metadata: Logger.Metadata) -> Logger.Metadata {
        guard let ids = trace?.ids else { return metadata }
        return metadata.merging(["trace_id": "\(ids.traceID)", "span_id": "\(ids.spanID)"]) { $1 }
    }
}
