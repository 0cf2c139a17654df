import Synchronization

/// The gateway's Prometheus metrics: requests by connector, method and status class; upstream
/// latency by connector; requests in flight; errors by kind. Rendered in the text format.
public final class GatewayMetrics: Sendable {
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    struct RequestKey: Hashable { var connector: String; var method: String; var statusClass: String }
    struct ErrorKey: Hashable { var connector: String; var kind: String }
    struct Histogram {
        var buckets = [UInt64](repeating: 0, count: GatewayMetrics.latencyBuckets.count)
        var count: UInt64 = 0
        var sum: Double = 0
    }

    struct State {
        var requests: [RequestKey: UInt64] = [:]
        var errors: [ErrorKey: UInt64] = [:]
        var latency: [String: Histogram] = [:]
        var inFlight: Int = 0
        var upstreamConnectionsOpened: UInt64 = 0
        var upstreamConnectionsReused: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func requestStarted() {
        state.withLock { $0.inFlight += 1 }
    }

    /// One finished request. `upstreamSeconds` is nil when no upstream answered.
    public func requestFinished(connector: String, method: String, status: Int, upstreamSeconds: Double?, errorKind: String?) {
        let method = Self.methods.contains(method) ? method : "OTHER"
        let statusClass = "\(status / 100)xx"
        state.withLock { state in
            state.inFlight -= 1
            state.requests[RequestKey(connector: connector, method: method, statusClass: statusClass), default: 0] += 1
            if let errorKind { state.errors[ErrorKey(connector: connector, kind: errorKind), default: 0] += 1 }
            if let seconds = upstreamSeconds {
                var histogram = state.latency[connector] ?? Histogram()
                histogram.count += 1
                histogram.sum += seconds
                for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound {
                    histogram.buckets[index] += 1
                }
                state.latency[connector] = histogram
            }
        }
    }

    public func upstreamConnection(reused: Bool) {
        state.withLock { state in
            if reused { state.upstreamConnectionsReused += 1 } else { state.upstreamConnectionsOpened += 1 }
        }
    }

    /// The Prometheus text exposition (version 0.0.4).
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        out += "# HELP gateway_requests_total Requests answered, by connector, method and status class.\n"
        out += "# TYPE gateway_requests_total counter\n"
        for (key, value) in snapshot.requests.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            out += "gateway_requests_total{connector=\"\(Self.escape(key.connector))\",method=\"\(key.method)\",status_class=\"\(key.statusClass)\"} \(value)\n"
        }
        out += "# HELP gateway_errors_total Requests the gateway answered with an error, by connector and kind.\n"
        out += "# TYPE gateway_errors_total counter\n"
        for (key, value) in snapshot.errors.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            out += "gateway_errors_total{connector=\"\(Self.escape(key.connector))\",kind=\"\(key.kind)\"} \(value)\n"
        }
        out += "# HELP gateway_upstream_duration_seconds Time from forwarding a request to the upstream's response head.\n"
        out += "# TYPE gateway_upstream_duration_seconds histogram\n"
        for (connector, histogram) in snapshot.latency.sorted(by: { $0.key < $1.key }) {
            let label = Self.escape(connector)
            for (index, bound) in Self.latencyBuckets.enumerated() {
                out += "gateway_upstream_duration_seconds_bucket{connector=\"\(label)\",le=\"\(bound)\"} \(histogram.buckets[index])\n"
            }
            out += "gateway_upstream_duration_seconds_bucket{connector=\"\(label)\",le=\"+Inf\"} \(histogram.count)\n"
            out += "gateway_upstream_duration_seconds_sum{connector=\"\(label)\"} \(histogram.sum)\n"
            out += "gateway_upstream_duration_seconds_count{connector=\"\(label)\"} \(histogram.count)\n"
        }
        out += "# HELP gateway_requests_in_flight Requests being answered now.\n"
        out += "# TYPE gateway_requests_in_flight gauge\n"
        out += "gateway_requests_in_flight \(snapshot.inFlight)\n"
        out += "# HELP gateway_upstream_connections_total Upstream connections used, by whether they came from the pool.\n"
        out += "# TYPE gateway_upstream_connections_total counter\n"
        out += "gateway_upstream_connections_total{reused=\"false\"} \(snapshot.upstreamConnectionsOpened)\n"
        out += "gateway_upstream_connections_total{reused=\"true\"} \(snapshot.upstreamConnectionsReused)\n"
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
