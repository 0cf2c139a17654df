import Logging
import Synchronization

/// Spans the exporter could not deliver, counted from the tracing library's own diagnostics
/// (a failed export drops its batch; a full queue drops what does not fit), for
/// `gateway_trace_spans_dropped_total`, and passed on to the gateway's log at most once a minute
/// per cause so that a dead collector cannot flood it.
final class SpanDrops: Sendable {
    private struct State {
        var exportFailed = 0
        var queueFull = 0
        var lastWarned: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    var exportFailed: Int { state.withLock { $0.exportFailed } }
    var queueFull: Int { state.withLock { $0.queueFull } }

    func dropped(_ count: Int, because cause: String, detail: String) {
        let now = ContinuousClock.now
        let warn = state.withLock { state -> Bool in
            if cause == "export_failed" { state.exportFailed += count } else { state.queueFull += count }
            if let last = state.lastWarned[cause], now - last < .seconds(60) { return false }
            state.lastWarned[cause] = now
            return true
        }
        guard warn else { return }
        logger.warning(
            "spans dropped: the trace collector did not take them",
            metadata: [
                "gateway.trace.drop_cause": "\(cause)", "gateway.trace.dropped": "\(count)", "gateway.error": "\(detail)",
            ])
    }

    func metricsText() -> String {
        let (failed, full) = state.withLock { ($0.exportFailed, $0.queueFull) }
        var out = PrometheusText()
        out.family(
            "gateway_trace_spans_dropped_total", .counter, help: "Finished spans not exported: the collector failed or the export queue was full.")
        out.sample("gateway_trace_spans_dropped_total", [("reason", "export_failed")], failed)
        out.sample("gateway_trace_spans_dropped_total", [("reason", "queue_full")], full)
        return out.text
    }
}
