import Logging

extension ProxyContext {
    /// The first context of a process: routes built (TLS contexts included) from `configuration`
    /// and its resolved `secrets`.
    package static func make(
        configuration: GatewayConfiguration, secrets: SecretStore, metrics: GatewayMetrics, logger: Logger,
        controlResponders: [any ControlResponder] = [], readiness: Readiness = Readiness(),
        pomeriumKeys: PomeriumKeySet = PomeriumKeySet()
    ) throws(ConfigError) -> ProxyContext {
        let routes = try RouteTable(configuration: configuration, secrets: secrets, eventLoopCount: configuration.gateway.threads)
        metrics.register(configuration.connectorNames)
        return ProxyContext(
            configuration: configuration, routes: routes,
            principals: PrincipalDirectory(principals: configuration.gateway.principals, secrets: secrets),
            metrics: metrics, logger: logger, accessLog: configuration.gateway.accessLog,
            controlResponders: controlResponders, readiness: readiness, secrets: secrets, pomeriumKeys: pomeriumKeys)
    }

    /// The context that replaces this one after a reload or a secret rotation: built from the
    /// new configuration and secrets, it keeps the process's parts (metrics, logger, control
    /// routes, readiness, Pomerium keys).
    package func successor(configuration: GatewayConfiguration, secrets: SecretStore) throws(ConfigError) -> ProxyContext {
        try Self.make(
            configuration: configuration, secrets: secrets, metrics: metrics, logger: logger,
            controlResponders: controlResponders, readiness: readiness, pomeriumKeys: pomeriumKeys)
    }
}
