import NIOCore
import Synchronization

/// The request limits of one gateway replica: a token bucket per principal with a `rate` (or per
/// principal and connector, with `rate.per_connector`), and
/// counters of requests in flight per principal and per connector with a `max_in_flight`. The
/// buckets and counters are shared by the event loops (a lock or an atomic per principal or
/// connector, taken only when that principal or connector has a limit). Limits are per replica:
/// N replicas let through N times the rate, as local limits in Envoy and Kong do.
final class RequestLimits: Sendable {
    /// Requests in flight against a cap.
    final class InFlight: Sendable {
        let limit: Int
        private let count = Atomic<Int>(0)

        init(limit: Int) { self.limit = limit }

        var current: Int { count.load(ordering: .relaxed) }

        func tryEnter() -> Bool {
            if count.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
            count.wrappingSubtract(1, ordering: .relaxed)
            return false
        }

        func leave() { count.wrappingSubtract(1, ordering: .relaxed) }
    }

    /// A principal's token bucket behind its own lock.
    final class Rate: Sendable {
        let perSecond: Int
        private let bucket: Mutex<TokenBucket>

        init(perSecond: Int, burst: Int) {
            self.perSecond = perSecond
            bucket = Mutex(TokenBucket(rate: perSecond, burst: burst))
        }

        /// Nil when a token was taken, else the seconds until one is there.
        func take(now: NIODeadline) -> Double? { bucket.withLock { $0.take(now: now) } }
    }

    /// What an admitted request holds until its exchange ends.
    struct Admission {
        fileprivate var holds: [InFlight] = []

        func release() { for hold in holds { hold.leave() } }
    }

    enum Outcome {
        case admitted(Admission)
        case refused(ProxyError, limit: String)
    }

    private struct RefusalKey: Hashable {
        var principal: String
        var connector: String
        var limit: String
    }

    /// By principal; with `per_connector`, by `principal` + NUL + `connector`.
    private let rates: [String: Rate]
    private let perConnectorRates: Set<String>
    private let principalsInFlight: [String: InFlight]
    private let connectorsInFlight: [String: InFlight]
    private let refusals = Mutex<[RefusalKey: UInt64]>([:])
    /// `max_tunnels` of principals that set it; `limits.max_tunnels` of every connector.
    private let principalTunnels: [String: Int]
    private let connectorTunnels: [String: Int]
    /// Nothing is limited: the data path skips admission.
    let isEmpty: Bool

    init(configuration: GatewayConfiguration) {
        var rates: [String: Rate] = [:]
        var perConnector: Set<String> = []
        var principals: [String: InFlight] = [:]
        for principal in configuration.gateway.principals {
            if let rate = principal.rate, rate.perConnector {
                perConnector.insert(principal.name)
                for connector in configuration.connectorNames where principal.mayUse(connector: connector) {
                    rates[Self.key(principal.name, connector)] = Rate(perSecond: rate.perSecond, burst: rate.burst)
                }
            } else if let rate = principal.rate {
                rates[principal.name] = Rate(perSecond: rate.perSecond, burst: rate.burst)
            }
            if let limit = principal.maxInFlight { principals[principal.name] = InFlight(limit: limit) }
        }
        var connectors: [String: InFlight] = [:]
        for connector in configuration.connectors {
            if let limit = connector.integer("limits.max_in_flight") { connectors[connector.name] = InFlight(limit: limit) }
        }
        principalTunnels = Dictionary(
            configuration.gateway.principals.compactMap { p in p.maxTunnels.map { (p.name, $0) } }, uniquingKeysWith: { a, _ in a })
        connectorTunnels = Dictionary(
            configuration.connectors.map { ($0.name, $0[ConnectorKey.maxTunnels]) }, uniquingKeysWith: { a, _ in a })
        self.rates = rates
        self.perConnectorRates = perConnector
        self.principalsInFlight = principals
        self.connectorsInFlight = connectors
        isEmpty = rates.isEmpty && principals.isEmpty && connectors.isEmpty
    }

    /// Admits a request of `principal` to `connector`, or refuses it with a 429 that says when
    /// to come back. The caps are checked before the bucket, so a refused request takes no token.
    func admit(principal: String, connector: String, now: NIODeadline) -> Outcome {
        var admission = Admission()
        if let cap = principalsInFlight[principal] {
            guard cap.tryEnter() else {
                return refuse(
                    principal, connector, limit: "principal_in_flight", retryAfter: 1,
                    detail:
                        "Principal '\(principal)' has \(cap.limit) requests in progress, its max_in_flight; retry when one completes.")
            }
            admission.holds.append(cap)
        }
        if let cap = connectorsInFlight[connector] {
            guard cap.tryEnter() else {
                admission.release()
                return refuse(
                    principal, connector, limit: "connector_in_flight", retryAfter: 1,
                    detail:
                        "Connector '\(connector)' has \(cap.limit) requests in progress, its limits.max_in_flight; retry when one completes.")
            }
            admission.holds.append(cap)
        }
        let perConnector = perConnectorRates.contains(principal)
        if let rate = rates[perConnector ? Self.key(principal, connector) : principal], let wait = rate.take(now: now) {
            admission.release()
            return refuse(
                principal, connector, limit: "rate", retryAfter: max(1, Int(wait.rounded(.up))),
                detail:
                    "Principal '\(principal)' is over its rate of \(rate.perSecond) requests per second\(perConnector ? " to '\(connector)'" : ""); retry after the time in Retry-After."
            )
        }
        return .admitted(admission)
    }

    private static func key(_ principal: String, _ connector: String) -> String { principal + "\u{0}" + connector }

    /// A tunnel slot for a WebSocket handshake, or the 503 that refuses it.
    func reserveTunnel(in tunnels: Tunnels, principal: String, connector: String) -> Result<Tunnels.Reservation, ProxyError> {
        let connectorCap = connectorTunnels[connector] ?? ConnectorKey.maxTunnels.defaultValue
        if let reservation = tunnels.reserve(
            principal: principal, connector: connector, principalCap: principalTunnels[principal], connectorCap: connectorCap)
        {
            return .success(reservation)
        }
        var error = ProxyError(
            .limit, status: 503, title: "Too many tunnels",
            detail:
                "Principal '\(principal)' or connector '\(connector)' has as many WebSocket tunnels open as it may (max_tunnels, limits.max_tunnels); retry when one closes."
        )
        error.retryAfter = 1
        return .failure(error)
    }

    private func refuse(_ principal: String, _ connector: String, limit: String, retryAfter: Int, detail: String) -> Outcome {
        refusals.withLock { $0[RefusalKey(principal: principal, connector: connector, limit: limit), default: 0] += 1 }
        var error = ProxyError(.rateLimited, status: 429, title: "Too many requests", detail: detail)
        error.retryAfter = retryAfter
        return .refused(error, limit: limit)
    }

    /// `gateway_requests_limited_total{principal,connector,limit}` in Prometheus text.
    func metricsText() -> String {
        var out = PrometheusText()
        out.family(
            "gateway_requests_limited_total", .counter,
            help: "Requests refused with 429 by a principal's rate or max_in_flight, or a connector's max_in_flight.")
        let counts = refusals.withLock { $0 }
        for (key, value) in counts.sorted(by: {
            ($0.key.principal, $0.key.connector, $0.key.limit) < ($1.key.principal, $1.key.connector, $1.key.limit)
        }) {
            out.sample(
                "gateway_requests_limited_total",
                [("principal", key.principal), ("connector", key.connector), ("limit", key.limit)], value)
        }
        return out.text
    }
}
