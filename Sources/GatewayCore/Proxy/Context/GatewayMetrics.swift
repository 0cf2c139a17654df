import Synchronization

/// The gateway's Prometheus metrics: requests by connector, method and status class; upstream
/// latency by connector; requests in flight; errors by kind. Each connector has an index into
/// flat arrays, fixed when its route is built. Request counts live in per-event-loop shares
/// (`RequestCounters`, one per upstream pool), so no lock on the request path is shared between
/// loops; `render` adds them up. A reload that adds connectors appends their labels (counters
/// of removed connectors stay, as Prometheus counters do).
package final class GatewayMetrics: Sendable {
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"]
    static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]
    static let slotsPerConnector = methods.count * statusClasses.count
    /// Label of requests naming no configured connector (the URL is the caller's to choose).
    package static let unknownConnector = "(unknown)"

    struct ErrorKey: Hashable {
        var connector: Int
        var kind: String
    }

    struct Labels {
        /// Connector labels; index 0 is `(unknown)`.
        var connectors: [String] = []
        var indexes: [String: Int] = [:]
    }

    private let labels = Mutex(Labels())
    /// Every share handed out, and one for callers outside an event loop's pool.
    private let shares: Mutex<[RequestCounters]>
    private let ownShare = RequestCounters()
    /// Secret refresh (Secrets/OpenBao/SecretRefresher): failed re-reads, and rotations swapped in.
    private let secretRefreshFailures = Atomic<Int>(0)
    private let secretRotations = Atomic<Int>(0)
    private let reloadsApplied = Atomic<Int>(0)
    private let reloadsRefused = Atomic<Int>(0)
    /// Further metric families appended to `render()` (the health checks'), added at start.
    private let extraText = Mutex<[@Sendable () -> String]>([])

    package init(connectors: [String] = []) {
        shares = Mutex([ownShare])
        register([Self.unknownConnector] + connectors)
    }

    /// Connector labels; index 0 is `(unknown)`.
    package var connectors: [String] { labels.withLock { $0.connectors } }

    /// Gives every name not seen before a label after the existing ones.
    package func register(_ connectors: [String]) {
        labels.withLock { labels in
            for name in connectors where labels.indexes[name] == nil {
                labels.indexes[name] = labels.connectors.count
                labels.connectors.append(name)
            }
        }
    }

    /// The index of a connector's label (0 for names not registered).
    package func index(of connector: String) -> Int { labels.withLock { $0.indexes[connector] ?? 0 } }

    /// A new share of the request counters, for one event loop.
    package func makeCounters() -> RequestCounters {
        let share = RequestCounters()
        shares.withLock { $0.append(share) }
        return share
    }

    package func requestStarted() { ownShare.requestStarted() }

    package func requestFinished(connector: Int, method: String, status: Int, upstreamSeconds: Double?, errorKind: String?) {
        ownShare.requestFinished(
            connector: connector, method: method, status: status, upstreamSeconds: upstreamSeconds,
            errorKind: errorKind)
    }

    package func requestFinished(connector: String, method: String, status: Int, upstreamSeconds: Double?, errorKind: String?) {
        requestFinished(
            connector: index(of: connector), method: method, status: status,
            upstreamSeconds: upstreamSeconds, errorKind: errorKind)
    }

    package func upstreamConnection(reused: Bool) { ownShare.upstreamConnection(reused: reused) }

    /// Every share added up, sized for `connectors` labels.
    private func total(connectors: Int) -> RequestCounters.State {
        var total = RequestCounters.State()
        total.makeRoom(for: max(connectors - 1, 0))
        for share in shares.withLock({ $0 }) {
            let part = share.snapshot
            for (index, value) in part.requests.enumerated() where index < total.requests.count { total.requests[index] += value }
            for (index, value) in part.latencyBuckets.enumerated() where index < total.latencyBuckets.count {
                total.latencyBuckets[index] += value
            }
            for (index, value) in part.latencyCount.enumerated() where index < connectors {
                total.latencyCount[index] += value
                total.latencySum[index] += part.latencySum[index]
                total.throttled[index] += part.throttled[index]
            }
            total.errors.merge(part.errors, uniquingKeysWith: +)
            total.inFlight += part.inFlight
            total.upstreamConnectionsOpened += part.upstreamConnectionsOpened
            total.upstreamConnectionsReused += part.upstreamConnectionsReused
        }
        return total
    }

    package func secretRefreshFailed() { secretRefreshFailures.add(1, ordering: .relaxed) }
    package func secretsRotated() { secretRotations.add(1, ordering: .relaxed) }
    package func reloadApplied() { reloadsApplied.add(1, ordering: .relaxed) }
    package func reloadRefused() { reloadsRefused.add(1, ordering: .relaxed) }

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
    package func render() -> String {
        let connectors = self.connectors
        let snapshot = total(connectors: connectors.count)
        var out = PrometheusText()
        out.family("gateway_requests_total", .counter, help: "Requests answered, by connector, method and status class.")
        for (connector, label) in connectors.enumerated() {
            for (methodIndex, method) in Self.methods.enumerated() {
                for (statusIndex, statusClass) in Self.statusClasses.enumerated() {
                    let value = snapshot.requests[(connector * Self.methods.count + methodIndex) * Self.statusClasses.count + statusIndex]
                    guard value > 0 else { continue }
                    out.sample(
                        "gateway_requests_total",
                        [("connector", label), ("method", method), ("status_class", statusClass)], value)
                }
            }
        }
        out.family("gateway_errors_total", .counter, help: "Requests the gateway answered with an error, by connector and kind.")
        for (key, value) in snapshot.errors.sorted(by: { ($0.key.connector, $0.key.kind) < ($1.key.connector, $1.key.kind) })
        where key.connector < connectors.count {
            out.sample("gateway_errors_total", [("connector", connectors[key.connector]), ("kind", key.kind)], value)
        }
        out.family(
            "gateway_upstream_duration_seconds", .histogram,
            help: "Time from forwarding a request to the upstream's response head.")
        for (connector, label) in connectors.enumerated() where snapshot.latencyCount[connector] > 0 {
            var cumulative: UInt64 = 0
            for (index, bound) in Self.latencyBuckets.enumerated() {
                cumulative += snapshot.latencyBuckets[connector * Self.latencyBuckets.count + index]
                out.sample("gateway_upstream_duration_seconds_bucket", [("connector", label), ("le", "\(bound)")], cumulative)
            }
            out.sample(
                "gateway_upstream_duration_seconds_bucket", [("connector", label), ("le", "+Inf")],
                snapshot.latencyCount[connector])
            out.sample("gateway_upstream_duration_seconds_sum", [("connector", label)], snapshot.latencySum[connector])
            out.sample("gateway_upstream_duration_seconds_count", [("connector", label)], snapshot.latencyCount[connector])
        }
        out.family(
            "gateway_upstream_throttled_total", .counter,
            help: "Upstream answers saying it is overloaded (429 or 503 with Retry-After), passed on as they are.")
        for (connector, label) in connectors.enumerated() where snapshot.throttled[connector] > 0 {
            out.sample("gateway_upstream_throttled_total", [("connector", label)], snapshot.throttled[connector])
        }
        out.family("gateway_requests_in_flight", .gauge, help: "Requests being answered now.")
        out.sample("gateway_requests_in_flight", snapshot.inFlight)
        out.family(
            "gateway_upstream_connections_total", .counter,
            help: "Upstream connections used, by whether they came from the pool.")
        out.sample("gateway_upstream_connections_total", [("reused", "false")], snapshot.upstreamConnectionsOpened)
        out.sample("gateway_upstream_connections_total", [("reused", "true")], snapshot.upstreamConnectionsReused)
        out.family(
            "gateway_secret_refresh_failures_total", .counter,
            help: "Secret references that could not be re-read (the last good value stays).")
        out.sample("gateway_secret_refresh_failures_total", secretRefreshFailures.load(ordering: .relaxed))
        out.family("gateway_secret_rotations_total", .counter, help: "Times changed secrets were swapped in without a restart.")
        out.sample("gateway_secret_rotations_total", secretRotations.load(ordering: .relaxed))
        out.family("gateway_config_reloads_total", .counter, help: "Configuration reloads (SIGHUP), by result.")
        out.sample("gateway_config_reloads_total", [("result", "applied")], reloadsApplied.load(ordering: .relaxed))
        out.sample("gateway_config_reloads_total", [("result", "refused")], reloadsRefused.load(ordering: .relaxed))
        var text = out.text
        for extra in extraText.withLock({ $0 }) { text += extra() }
        return text
    }

    /// Appends what `render` returns to every `/metrics` answer.
    package func appendText(_ render: @escaping @Sendable () -> String) {
        extraText.withLock { $0.append(render) }
    }
}
