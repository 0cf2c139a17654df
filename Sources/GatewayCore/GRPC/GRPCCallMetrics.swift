import Synchronization

/// Per-call gRPC metrics of the connectors whose listener speaks gRPC: calls by connector,
/// service, method and status code, and their duration by method; long polls (a worker's task
/// queue polls, ~70 s) in a histogram of their own so that they do not drown the others.
/// Methods the gateway refused without knowing them are counted as `(unknown)`: a caller cannot
/// make up label values.
final class GRPCCallMetrics: Sendable {
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    static let longPollBuckets: [Double] = [0.1, 1, 5, 10, 20, 30, 45, 60, 70, 80, 90, 120, 300]
    static let unknown = "(unknown)"

    struct CallKey: Hashable {
        var connector: String
        var service: String
        var method: String
        var code: String
    }

    struct MethodKey: Hashable, Comparable {
        var connector: String
        var service: String
        var method: String

        static func < (lhs: MethodKey, rhs: MethodKey) -> Bool {
            (lhs.connector, lhs.service, lhs.method) < (rhs.connector, rhs.service, rhs.method)
        }
    }

    struct Histogram {
        var counts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0
    }

    private struct State {
        var calls: [CallKey: UInt64] = [:]
        var durations: [MethodKey: Histogram] = [:]
        var longPolls: [MethodKey: Histogram] = [:]
    }

    private let state = Mutex(State())

    func record(connector: String, path: GRPCMethodPath?, known: Bool, status: GRPCStatus, seconds: Double, longPoll: Bool) {
        let service = known ? path?.service ?? Self.unknown : Self.unknown
        let method = known ? path?.method ?? Self.unknown : Self.unknown
        let key = MethodKey(connector: connector, service: service, method: method)
        let bounds = longPoll ? Self.longPollBuckets : Self.buckets
        state.withLock { state in
            state.calls[CallKey(connector: connector, service: service, method: method, code: status.name), default: 0] += 1
            func add(_ histogram: inout Histogram) {
                if let index = bounds.firstIndex(where: { seconds <= $0 }) { histogram.counts[index] += 1 }
                histogram.sum += seconds
                histogram.count += 1
            }
            if longPoll {
                add(&state.longPolls[key, default: Histogram(counts: Array(repeating: 0, count: bounds.count))])
            } else {
                add(&state.durations[key, default: Histogram(counts: Array(repeating: 0, count: bounds.count))])
            }
        }
    }

    /// The families in Prometheus text (appended to `/metrics`).
    func render() -> String {
        let state = self.state.withLock { $0 }
        var out = PrometheusText()
        out.family("gateway_grpc_calls_total", .counter, help: "gRPC calls answered, by connector, service, method and status code.")
        for (key, value) in state.calls.sorted(by: {
            ($0.key.connector, $0.key.service, $0.key.method, $0.key.code)
                < ($1.key.connector, $1.key.service, $1.key.method, $1.key.code)
        }) {
            out.sample(
                "gateway_grpc_calls_total",
                [("connector", key.connector), ("service", key.service), ("method", key.method), ("code", key.code)], value)
        }
        Self.histogram(
            &out, "gateway_grpc_call_duration_seconds", state.durations, Self.buckets,
            help: "gRPC call duration, from the call's head to its end, by method (long polls excluded).")
        Self.histogram(
            &out, "gateway_grpc_long_poll_duration_seconds", state.longPolls, Self.longPollBuckets,
            help: "Duration of long-poll gRPC calls (task queue polls, history waits), by method.")
        return out.text
    }

    private static func histogram(
        _ out: inout PrometheusText, _ name: String, _ values: [MethodKey: Histogram], _ bounds: [Double], help: String
    ) {
        out.family(name, .histogram, help: help)
        for (key, histogram) in values.sorted(by: { $0.key < $1.key }) {
            let labels = [("connector", key.connector), ("service", key.service), ("method", key.method)]
            var cumulative: UInt64 = 0
            for (index, bound) in bounds.enumerated() {
                cumulative += histogram.counts[index]
                out.sample("\(name)_bucket", labels + [("le", "\(bound)")], cumulative)
            }
            out.sample("\(name)_bucket", labels + [("le", "+Inf")], histogram.count)
            out.sample("\(name)_sum", labels, histogram.sum)
            out.sample("\(name)_count", labels, histogram.count)
        }
    }
}
