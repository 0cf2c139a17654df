import Logging
import Synchronization

/// What every connection handler shares: the routes, the principals, metrics, logging and the
/// readiness flag. Immutable apart from the flag; safe to share across event loops.
public final class ProxyContext: Sendable {
    public let configuration: GatewayConfiguration
    public let routes: RouteTable
    public let principals: PrincipalDirectory
    public let metrics: GatewayMetrics
    public let logger: Logger
    /// Writes one access line per request when set.
    public let accessLog: Bool
    /// `gateway.public_url`, read once (the data path asks for it on every request).
    public let publicURL: EndpointURL?
    /// `gateway.limits`, read once.
    public let limits: ClientLimits
    /// Principals' rates and in-flight caps, connectors' in-flight caps (a reload starts anew).
    let requestLimits: RequestLimits
    /// Further control routes (health reports, status page).
    public let controlResponders: [any ControlResponder]
    /// Readiness is the process's, shared by every context that replaces this one.
    public let readiness: Readiness
    /// The resolved secrets the routes and principals were built from (what a secret refresh
    /// compares new values with).
    let secrets: SecretStore
    /// The Pomerium JWKS cache, shared by every context (a reload keeps it).
    public let pomeriumKeys: PomeriumKeySet
    /// Verifies `X-Pomerium-Jwt-Assertion` when `gateway.identity.pomerium` is set.
    let pomerium: PomeriumVerifier?

    public init(
        configuration: GatewayConfiguration, routes: RouteTable, principals: PrincipalDirectory,
        metrics: GatewayMetrics, logger: Logger, accessLog: Bool = true, controlResponders: [any ControlResponder] = [],
        readiness: Readiness = Readiness(), secrets: SecretStore, pomeriumKeys: PomeriumKeySet = PomeriumKeySet()
    ) {
        self.pomeriumKeys = pomeriumKeys
        self.pomerium = configuration.gateway.pomerium.map { PomeriumVerifier(settings: $0, keys: pomeriumKeys) }
        self.secrets = secrets
        self.controlResponders = controlResponders
        self.publicURL = configuration.gateway.publicURL
        self.limits = configuration.gateway.limits
        self.requestLimits = RequestLimits(configuration: configuration)
        self.readiness = readiness
        self.configuration = configuration
        var routes = routes
        routes.assignMetricsIndexes(metrics)
        self.routes = routes
        self.principals = principals
        self.metrics = metrics
        self.logger = logger
        self.accessLog = accessLog
    }

    /// True once the listeners are up, false again while draining.
    public var isReady: Bool { readiness.isReady }

    public func setReady(_ ready: Bool) { readiness.set(ready) }
}
