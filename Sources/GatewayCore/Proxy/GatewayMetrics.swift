import Synchronization

/// The gateway's Prometheus metrics: requests by connector, method and status class; upstream
/// latency by connector; requests in flight; errors by kind. Each connector has an index into
/// flat arrays, fixed when its route is built, so the hot path only indexes arrays under one
/// uncontended lock; a reload that adds connectors appends their labels (counters of removed
/// connectors stay, as Prometheus counters do).
public final class GatewayMetrics: Sendable {
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"]
    static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]
    /// Label of requests naming no configured connector (the URL is the caller's to choose).
    public static let unknownConnector = "(unknown)"

    struct ErrorKey: Hashable { var connector: Int; var kind: String }

    struct State {
        /// Connector labels; index 0 is `(unknown)`.
        var connectors: [String]
        var indexes: [String: Int]
        var requests: [UInt64]
        var latencyBuckets: [UInt64]
        var latencyCount: [UInt64]
        var latencySum: [Double]
        var errors: [ErrorKey: UInt64] = [:]
        var inFlight = 0
        var upstreamConnectionsOpened: UInt64 = 0
        var upstreamConnectionsReused: UInt64 = 0
    }

    private let state: Mutex<State>
    /// Secret refresh (Secrets/OpenBao/SecretRefresher): failed re-reads, and rotations swapped in.
    private let secretRefreshFailures = Atomic<Int>(0)
    private let secretRotations = Atomic<Int>(0)
    private let reloadsApplied = Atomic<Int>(0)
    private let reloadsRefused = Atomic<Int>(0)
    /// Further metric families appended to `render()` (the health checks'), added at start.
    private let extraText = Mutex<[@Sendable () -> String]>([])

    public init(connectors: [String] = []) {
        state = Mutex(State(connectors: [], indexes: [:], requests: [], latencyBuckets: [], latencyCount: [], latencySum: []))
        register([Self.unknownConnector] + connectors)
    }

    /// Connector labels; index 0 is `(unknown)`.
    public var connectors: [String] { state.withLock { $0.connectors } }

    /// Gives every name not seen before a label (and zeroed counters) after the existing ones.
    public func register(_ connectors: [String]) {
        state.withLock { state in
            for name in connectors where state.indexes[name] == nil {
                state.indexes[name] = state.connectors.count
                state.connectors.append(name)
                state.requests += [UInt64](repeating: 0, count: Self.methods.count * Self.statusClasses.count)
                state.latencyBuckets += [UInt64](repeating: 0, count: Self.latencyBuckets.count)
                state.latencyCount.append(0)
                state.latencySum.append(0)
            }
        }
    }

    /// The index of a connector's label (0 for names not registered).
    public func index(of connector: String) -> Int { state.withLock { $0.indexes[connector] ?? 0 } }

    public func requestStarted() {
        state.withLock { $0.inFlight += 1 }
    }

    /// One finished request. `upstreamSeconds` is nil when no upstream answered.
    public func requestFinished(connector: Int, method: String, status: Int, upstreamSeconds: Double?, errorKind: String?) {
        let methodIndex = Self.methodIndex(method)
        let statusIndex = min(max(status / 100, 1), 5) - 1
        let requestSlot = (connector * Self.methods.count + methodIndex) * Self.statusClasses.count + statusIndex
        let bucket = upstreamSeconds.map { seconds in Self.latencyBuckets.firstIndex { seconds <= $0 } ?? Self.latencyBuckets.count }
        state.withLock { state in
            state.inFlight -= 1
            state.requests[requestSlot] += 1
            if let errorKind { state.errors[ErrorKey(connector: connector, kind: errorKind), default: 0] += 1 }
            if let seconds = upstreamSeconds, let bucket {
                state.latencyCount[connector] += 1
                state.latencySum[connector] += seconds
                if bucket < Self.latencyBuckets.count {
                    state.latencyBuckets[connector * Self.latencyBuckets.count + bucket] += 1
                }
            }
        }
    }

    public func requestFinished(connector: String, method: String, status: Int, upstreamSeconds: Double?, errorKind: String?) {
        requestFinished(connector: index(of: connector), method: method, status: status,
                        upstreamSeconds: upstreamSeconds, errorKind: errorKind)
    }

    public func upstreamConnection(reused: Bool) {
        state.withLock { state in
            if reused { state.upstreamConnectionsReused += 1 } else { state.upstreamConnectionsOpened += 1 }
        }
    }

    public func secretRefreshFailed() { secretRefreshFailures.add(1, ordering: .relaxed) }
    public func secretsRotated() { secretRotations.add(1, ordering: .relaxed) }
    public func reloadApplied() { reloadsApplied.add(1, ordering: .relaxed) }
    public func reloadRefused() { reloadsRefused.add(1, ordering: .relaxed) }

    @inline(__always)
    static func methodIndex(_ method: String) -> Int {
        switch method {
        case "GET": return 0
        case "HEAD": return 1
        case "POST": return 2
        case "PUT": return 3
        case "PATCH": return 4
        case "DELETE": return 5
        case "OPTIONS": return 6
        default: return 7
        }
    }

    /// The Prometheus text exposition (version 0.0.4).
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        out += "# HELP gateway_requests_total Requests answered, by connector, method and status class.\n"
        out += "# TYPE gateway_requests_total counter\n"
        let connectors = snapshot.connectors
        for (connector, label) in connectors.enumerated() {
            for (methodIndex, method) in Self.methods.enumerated() {
                for (statusIndex, statusClass) in Self.statusClasses.enumerated() {
                    let value = snapshot.requests[(connector * Self.methods.count + methodIndex) * Self.statusClasses.count + statusIndex]
                    guard value > 0 else { continue }
                    out += "gateway_requests_total{connector=\"\(Self.escape(label))\",method=\"\(method)\",status_class=\"\(statusClass)\"} \(value)\n"
                }
            }
        }
        out += "# HELP gateway_errors_total Requests the gateway answered with an error, by connector and kind.\n"
        out += "# TYPE gateway_errors_total counter\n"
        for (key, value) in snapshot.errors.sorted(by: { ($0.key.connector, $0.key.kind) < ($1.key.connector, $1.key.kind) }) {
            out += "gateway_errors_total{connector=\"\(Self.escape(connectors[key.connector]))\",kind=\"\(key.kind)\"} \(value)\n"
        }
        out += "# HELP gateway_upstream_duration_seconds Time from forwarding a request to the upstream's response head.\n"
        out += "# TYPE gateway_upstream_duration_seconds histogram\n"
        for (connector, label) in connectors.enumerated() where snapshot.latencyCount[connector] > 0 {
            let name = Self.escape(label)
            var cumulative: UInt64 = 0
            for (index, bound) in Self.latencyBuckets.enumerated() {
                cumulative += snapshot.latencyBuckets[connector * Self.latencyBuckets.count + index]
                out += "gateway_upstream_duration_seconds_bucket{connector=\"\(name)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "gateway_upstream_duration_seconds_bucket{connector=\"\(name)\",le=\"+Inf\"} \(snapshot.latencyCount[connector])\n"
            out += "gateway_upstream_duration_seconds_sum{connector=\"\(name)\"} \(snapshot.latencySum[connector])\n"
            out += "gateway_upstream_duration_seconds_count{connector=\"\(name)\"} \(snapshot.latencyCount[connector])\n"
        }
        out += "# HELP gateway_requests_in_flight Requests being answered now.\n"
        out += "# TYPE gateway_requests_in_flight gauge\n"
        out += "gateway_requests_in_flight \(snapshot.inFlight)\n"
        out += "# HELP gateway_upstream_connections_total Upstream connections used, by whether they came from the pool.\n"
        out += "# TYPE gateway_upstream_connections_total counter\n"
        out += "gateway_upstream_connections_total{reused=\"false\"} \(snapshot.upstreamConnectionsOpened)\n"
        out += "gateway_upstream_connections_total{reused=\"true\"} \(snapshot.upstreamConnectionsReused)\n"
        out += "# HELP gateway_secret_refresh_failures_total Secret references that could not be re-read (the last good value stays).\n"
        out += "# TYPE gateway_secret_refresh_failures_total counter\n"
        out += "gateway_secret_refresh_failures_total \(secretRefreshFailures.load(ordering: .relaxed))\n"
        out += "# HELP gateway_secret_rotations_total Times changed secrets were swapped in without a restart.\n"
        out += "# TYPE gateway_secret_rotations_total counter\n"
        out += "gateway_secret_rotations_total \(secretRotations.load(ordering: .relaxed))\n"
        out += "# HELP gateway_config_reloads_total Configuration reloads (SIGHUP), by result.\n"
        out += "# TYPE gateway_config_reloads_total counter\n"
        out += "gateway_config_reloads_total{result=\"applied\"} \(reloadsApplied.load(ordering: .relaxed))\n"
        out += "gateway_config_reloads_total{result=\"refused\"} \(reloadsRefused.load(ordering: .relaxed))\n"
        for extra in extraText.withLock({ $0 }) { out += extra() }
        return out
    }

    /// Appends what `render` returns to every `/metrics` answer.
    public func appendText(_ render: @escaping @Sendable () -> String) {
        extraText.withLock { $0.append(render) }
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
