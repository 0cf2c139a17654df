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
    private let readyFlag = Atomic<Bool>(false)

    public init(
        configuration: GatewayConfiguration, routes: RouteTable, principals: PrincipalDirectory,
        metrics: GatewayMetrics, logger: Logger, accessLog: Bool = true
    ) {
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
    public var isReady: Bool {
        get { readyFlag.load(ordering: .relaxed) }
    }

    public func setReady(_ ready: Bool) {
        readyFlag.store(ready, ordering: .relaxed)
    }
}
