/// An inbound caller (worker, operator, provisioner, ...): how it proves who it is (a bearer
/// token, a client certificate, or both) and the connectors it may use.
public final class Principal: Sendable {
    public let name: String
    public let location: String
    /// The bearer token's reference; nil for a principal known by its certificate only.
    public let token: Sourced<SecretSource>?
    /// `certificate: {uri_san, dns_san, subject_cn}`: the client certificates that are this principal.
    package let certificate: CertificateMatch?
    /// `pomerium: {emails, groups}`: the Pomerium identities that are this principal.
    package let pomerium: PomeriumMatch?
    /// Connector names, or `*` for all.
    public let connectors: [String]
    /// Extra permissions, e.g. `manage` for management routes.
    public let permissions: Set<String>
    /// `temporal_namespaces`: the namespaces the principal's gRPC calls may act in (exact,
    /// a prefix with one trailing `*`, or `*` for all); nil when not set (every namespace).
    public let namespaces: [String]?
    /// `rate: {requests_per_second, burst, per_connector}`: a token bucket per gateway replica
    /// (one per connector with `per_connector`).
    public struct Rate: Sendable, Equatable {
        public var perSecond: Int
        public var burst: Int
        public var perConnector = false

        public init(perSecond: Int, burst: Int, perConnector: Bool = false) {
            self.perSecond = perSecond
            self.burst = burst
            self.perConnector = perConnector
        }
    }

    public let rate: Rate?
    /// `max_in_flight`: requests in progress at once, per gateway replica.
    public let maxInFlight: Int?
    /// `max_tunnels`: WebSocket tunnels open at once, per gateway replica.
    public let maxTunnels: Int?

    package init(
        name: String, location: String, token: Sourced<SecretSource>?, connectors: [String], permissions: Set<String>,
        rate: Rate? = nil, maxInFlight: Int? = nil, maxTunnels: Int? = nil,
        certificate: CertificateMatch? = nil, pomerium: PomeriumMatch? = nil, namespaces: [String]? = nil
    ) {
        self.namespaces = namespaces
        self.certificate = certificate
        self.pomerium = pomerium
        self.maxTunnels = maxTunnels
        self.rate = rate
        self.maxInFlight = maxInFlight
        self.name = name
        self.location = location
        self.token = token
        self.connectors = connectors
        self.permissions = permissions
        self.allowsAll = connectors.contains("*")
    }

    private let allowsAll: Bool

    public func mayUse(connector: String) -> Bool {
        allowsAll || connectors.contains(connector)
    }

    /// Whether the principal's calls may act in `namespace` (an empty one only with `*`).
    public func mayUse(namespace: String) -> Bool {
        guard let namespaces else { return true }
        return namespaces.contains { pattern in
            if pattern == "*" { return true }
            if namespace.isEmpty { return false }
            if pattern.hasSuffix("*") { return namespace.hasPrefix(pattern.dropLast()) }
            return pattern == namespace
        }
    }

    public static let knownPermissions: Set<String> = ["manage"]
}
