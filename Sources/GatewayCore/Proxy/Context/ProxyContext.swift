import Logging
import Synchronization

/// What every connection handler shares: the routes, the principals, metrics, logging and the
/// readiness flag. Immutable apart from the flag; safe to share across event loops.
package final class ProxyContext: Sendable {
    package let configuration: GatewayConfiguration
    package let routes: RouteTable
    package let principals: PrincipalDirectory
    package let metrics: GatewayMetrics
    package let logger: Logger
    /// Writes one access line per request when set.
    package let accessLog: Bool
    /// `gateway.public_url`, read once (the data path asks for it on every request).
    package let publicURL: EndpointURL?
    /// `gateway.limits`, read once.
    package let limits: ClientLimits
    /// Principals' rates and in-flight caps, connectors' in-flight caps (a reload starts anew).
    let requestLimits: RequestLimits
    /// Further control routes (health reports, status page).
    package let controlResponders: [any ControlResponder]
    /// Readiness is the process's, shared by every context that replaces this one.
    package let readiness: Readiness
    /// The resolved secrets the routes and principals were built from (what a secret refresh
    /// compares new values with).
    let secrets: SecretStore
    /// The Pomerium JWKS cache, shared by every context (a reload keeps it).
    package let pomeriumKeys: PomeriumKeySet
    /// Verifies `X-Pomerium-Jwt-Assertion` when `gateway.identity.pomerium` is set.
    let pomerium: PomeriumVerifier?

    package init(
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
    package var isReady: Bool { readiness.isReady }

    package func setReady(_ ready: Bool) { readiness.set(ready) }
}
