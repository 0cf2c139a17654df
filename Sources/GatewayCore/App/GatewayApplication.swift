import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Builds the running gateway from a loaded configuration: secrets resolved (fail closed),
/// routes built, every long-lived part a `Service` in one `ServiceGroup`. The executable and the
/// tests call this same function.
public struct GatewayApplication: Sendable {
    public let configuration: GatewayConfiguration
    public let holder: ProxyContextHolder
    public var context: ProxyContext { holder.context }
    public let group: MultiThreadedEventLoopGroup
    public let listen: HostPort
    /// Binds, re-binds on reload, and drains the HTTP and TCP listeners.
    public let listeners: ListenerSupervisor
    /// Further long-lived parts (health scheduler, TCP listeners, secret refresh), run in the same
    /// `ServiceGroup` as the HTTP server.
    public var services: [any Service] = []

    /// An application over already resolved `secrets`; `build(configuration:logger:listen:resolver:)`
    /// resolves them first (fail closed) and adds the services that keep them current.
    public init(
        configuration: GatewayConfiguration, logger: Logger, listen: HostPort? = nil, secrets: SecretStore,
        controlResponders: [any ControlResponder] = []
    ) throws(ConfigError) {
        self.configuration = configuration
        self.listen = listen ?? configuration.gateway.listen
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.gateway.threads)
        // Health checks: the scheduler, the report routes and status page, and their metrics.
        let health = HealthStore(connectors: configuration.connectorNames)
        let metrics = GatewayMetrics(connectors: configuration.connectorNames)
        metrics.appendText { health.renderMetrics() }
        let tunnels = Tunnels()
        // Tracing, when gateway.telemetry sets a collector: its exporter runs as a service.
        var tracer: RequestTracer?
        if let telemetry = configuration.gateway.telemetry {
            do {
                let (made, exporter) = try RequestTracer.make(telemetry, logger: logger)
                tracer = made
                services.append(exporter)
                metrics.appendText { made.metricsText() }
            } catch {
                throw ConfigError(issues: [
                    ConfigIssue(
                        .invalidValue, at: configuration.gateway.settings["telemetry.otlp_endpoint"].map { "\($0.source)" }, key: "gateway.telemetry",
                        problem: "Tracing could not start: \(error).", fix: "Check gateway.telemetry and the OTEL_* variables.")
                ])
            }
        }
        self.holder = ProxyContextHolder(
            try Self.makeContext(
                configuration: configuration, secrets: secrets, metrics: metrics, logger: logger,
                controlResponders: controlResponders + [HealthResponder(store: health, configuration: configuration, tunnels: tunnels)]),
            tunnels: tunnels, tracer: tracer)
        // The HTTPS listener's certificate loads before anything binds: a broken pair stops the start.
        let certificate = ServerCertificate()
        if configuration.gateway.tlsEnabled {
            do throws(TLSMaterialError) {
                try certificate.load(configuration: configuration, secrets: secrets)
            } catch {
                throw ConfigError(issues: [error.issue])
            }
            services.append(ServerCertificateWatcher(certificate: certificate, holder: holder, logger: logger))
        }
        metrics.appendText { certificate.metricsText() }
        if configuration.gateway.pomerium != nil {
            let keys = holder.context.pomeriumKeys
            metrics.appendText { keys.metricsText() }
        }
        self.listeners = ListenerSupervisor(
            holder: holder, group: group, httpOverride: listen, logger: logger, certificate: certificate)
        services.append(HealthScheduler(holder: holder, store: health, group: group, logger: logger))
        for warning in configuration.warnings { logger.warning("\(warning.description)") }
        for connector in configuration.connectors where connector.isEnabled && !connector.verifyTLS {
            if case .http = connector.machineRoute {
                logger.warning(
                    "TLS verification is off for this connector's executor (verify_tls: false)",
                    metadata: ["gateway.connector": "\(connector.name)"])
            }
        }
    }

    /// A context for `configuration` with resolved `secrets`: used at start, and again whenever
    /// secrets rotate or the configuration is reloaded (then swapped in through `holder`).
    public static func makeContext(
        configuration: GatewayConfiguration, secrets: SecretStore, metrics: GatewayMetrics, logger: Logger,
        controlResponders: [any ControlResponder] = [], readiness: Readiness = Readiness(),
        pomeriumKeys: PomeriumKeySet = PomeriumKeySet()
    ) throws(ConfigError) -> ProxyContext {
        let routes = try RouteTable(
            configuration: configuration, secrets: secrets, eventLoopCount: configuration.gateway.threads)
        metrics.register(configuration.connectorNames)
        return ProxyContext(
            configuration: configuration, routes: routes,
            principals: PrincipalDirectory(principals: configuration.gateway.principals, secrets: secrets),
            metrics: metrics, logger: logger, accessLog: configuration.gateway.accessLog,
            controlResponders: controlResponders, readiness: readiness, secrets: secrets, pomeriumKeys: pomeriumKeys)
    }

    /// Runs until SIGTERM/SIGINT, then drains and returns. `onListening` gets the HTTP
    /// listener's bound address (again whenever a reload moves it).
    public func run(
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in },
        onListeningTLS: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) async throws {
        listeners.onListening(onListening)
        listeners.onListeningTLS(onListeningTLS)
        let services = ServiceGroup(
            configuration: .init(
                services: ([listeners] + self.services).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: holder.context.logger))
        do {
            try await services.run()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}
