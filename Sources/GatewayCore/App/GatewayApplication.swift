import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// The running gateway, assembled in one place. `init` builds everything that can refuse a
/// start (routes, TLS contexts, the serving certificate, tracing) from a configuration whose
/// secrets are resolved; `build` resolves them first (fail closed) and records how the gateway
/// keeps current (reload, secret refresh, Pomerium keys); `run` owns the event-loop group and
/// makes every long-lived part a `Service` of one `ServiceGroup` (`services(on:)`). The
/// executable and the tests go through these same functions.
package struct GatewayApplication: Sendable {
    package let configuration: GatewayConfiguration
    package let holder: ProxyContextHolder
    package var context: ProxyContext { holder.context }
    /// `serve --listen`: replaces `gateway.listen` for the life of the process.
    let listenOverride: HostPort?
    /// The HTTP listener's address at start.
    package var listen: HostPort { listenOverride ?? configuration.gateway.listen }
    let logger: Logger
    let health: HealthStore
    let certificate: ServerCertificate
    /// Sends finished spans to the collector when `gateway.telemetry` turns tracing on.
    let traceExporter: (any Service)?
    /// How secrets are re-read while serving (set by `build`).
    var secretSource: (resolver: SecretResolver, secrets: SecretStore)?
    /// How SIGHUP reloads the configuration (set by `reloading(with:hangups:)`).
    var reload: (load: ConfigurationReloader.Loader, hangups: UnixSignalsSequence?)?
    /// The client Pomerium's keys are fetched with (set by `fetchingPomeriumKeys(with:)`).
    var pomeriumClient: HTTPClient?

    /// An application over already resolved `secrets`; `build(configuration:logger:listen:resolver:)`
    /// resolves them first (fail closed).
    package init(
        configuration: GatewayConfiguration, logger: Logger, listen: HostPort? = nil, secrets: SecretStore,
        controlResponders: [any ControlResponder] = []
    ) throws(ConfigError) {
        self.configuration = configuration
        self.logger = logger
        listenOverride = listen
        // Health checks: the scheduler, the report routes and status page, and their metrics.
        let health = HealthStore(connectors: configuration.connectorNames)
        self.health = health
        let metrics = GatewayMetrics(connectors: configuration.connectorNames)
        metrics.appendText { health.renderMetrics() }
        let tunnels = Tunnels()
        // Tracing, when gateway.telemetry sets a collector: its exporter runs as a service.
        var tracer: RequestTracer?
        var exporter: (any Service)?
        if let telemetry = configuration.gateway.telemetry {
            do {
                let (made, madeExporter) = try RequestTracer.make(telemetry, logger: logger)
                tracer = made
                exporter = madeExporter
                metrics.appendText { made.metricsText() }
            } catch {
                throw ConfigError(issues: [
                    ConfigIssue(
                        .invalidValue, at: configuration.gateway.settings["telemetry.otlp_endpoint"].map { "\($0.source)" }, key: "gateway.telemetry",
                        problem: "Tracing could not start: \(error).", fix: "Check gateway.telemetry and the OTEL_* variables.")
                ])
            }
        }
        traceExporter = exporter
        let first = try ProxyContext.make(
            configuration: configuration, secrets: secrets, metrics: metrics, logger: logger,
            controlResponders: controlResponders + [HealthResponder(store: health, configuration: configuration, tunnels: tunnels)])
        holder = ProxyContextHolder(first, tunnels: tunnels, tracer: tracer)
        // The HTTPS listener's certificate loads before anything binds: a broken pair stops the start.
        certificate = ServerCertificate()
        if configuration.gateway.tlsEnabled {
            do throws(TLSMaterialError) {
                try certificate.load(configuration: configuration, secrets: secrets)
            } catch {
                throw ConfigError(issues: [error.issue])
            }
        }
        let certificate = self.certificate
        metrics.appendText { certificate.metricsText() }
        if configuration.gateway.pomerium != nil {
            let keys = first.pomeriumKeys
            metrics.appendText { keys.metricsText() }
        }
        for warning in configuration.warnings { logger.warning("\(warning.description)") }
        for connector in configuration.connectors where connector.isEnabled && !connector.verifyTLS {
            if case .http = connector.machineRoute {
                logger.warning(
                    "TLS verification is off for this connector's executor (verify_tls: false)",
                    metadata: ["gateway.connector": "\(connector.name)"])
            }
        }
    }

    /// Resolves every secret the configuration uses (fail closed: any failure throws, naming the
    /// reference, connector and key) and builds the application, which keeps `openbao://` and
    /// `file://` values current while serving.
    package static func build(
        configuration: GatewayConfiguration, logger: Logger, listen: HostPort? = nil, resolver: SecretResolver
    ) async throws(ConfigError) -> GatewayApplication {
        let secrets = try await SecretStore.resolve(configuration, using: resolver.session())
        var application = try GatewayApplication(configuration: configuration, logger: logger, listen: listen, secrets: secrets)
        application.secretSource = (resolver, secrets)
        return application
    }

    /// The same application, reloading on SIGHUP with `load` (which reads and validates the
    /// configuration and resolves its secrets). `hangups` is SIGHUP trapped before anything
    /// listens (`ConfigurationReloader.trapHangups()`).
    package func reloading(with load: @escaping ConfigurationReloader.Loader, hangups: UnixSignalsSequence?) -> Self {
        var application = self
        application.reload = (load, hangups)
        return application
    }

    /// The same application, fetching Pomerium's signing keys with `client` when
    /// `gateway.identity.pomerium` is set.
    package func fetchingPomeriumKeys(with client: HTTPClient) -> Self {
        var application = self
        application.pomeriumClient = client
        return application
    }

    /// Every long-lived part, on `group`: the listeners first, then the health scheduler, the
    /// certificate watcher, the span exporter, the reloader, the secret refresher and token
    /// renewer, the Pomerium key refresher: whichever the configuration calls for.
    package func services(on group: MultiThreadedEventLoopGroup) -> (listeners: ListenerSupervisor, others: [any Service]) {
        let listeners = ListenerSupervisor(
            holder: holder, group: group, httpOverride: listenOverride, logger: logger, certificate: certificate)
        var services: [any Service] = [HealthScheduler(holder: holder, store: health, group: group, logger: logger)]
        if configuration.gateway.tlsEnabled {
            services.append(ServerCertificateWatcher(certificate: certificate, holder: holder, logger: logger))
        }
        if let traceExporter { services.append(traceExporter) }
        if let reload {
            services.append(
                ConfigurationReloader(holder: holder, listeners: listeners, logger: logger, hangups: reload.hangups, load: reload.load))
        }
        if let secretSource {
            services += secretServices(resolver: secretSource.resolver, secrets: secretSource.secrets)
        }
        if configuration.gateway.pomerium != nil, let pomeriumClient {
            services.append(PomeriumKeyRefresher(holder: holder, keys: context.pomeriumKeys, httpClient: pomeriumClient, logger: logger))
        }
        return (listeners, services)
    }

    /// The `SecretRefresher` when `openbao://` or `file://` references are in use and
    /// `gateway.openbao.refresh_interval` is not 0, and the `OpenBaoTokenRenewer` when OpenBao is.
    private func secretServices(resolver: SecretResolver, secrets: SecretStore) -> [any Service] {
        let references = SecretStore.uses(in: configuration).compactMap(\.source.value.reference)
        let usesOpenBao = references.contains { if case .openBao = $0 { return true } else { return false } }
        let usesFiles = references.contains { if case .file = $0 { return true } else { return false } }
        var services: [any Service] = []
        if usesOpenBao, let openBao = resolver.openBao {
            services.append(OpenBaoTokenRenewer(auth: openBao.client.auth, logger: logger))
        }
        let interval = OpenBaoConfiguration(configuration).refreshInterval
        if (usesOpenBao || usesFiles) && interval > 0 {
            services.append(
                SecretRefresher(
                    holder: holder, resolver: resolver, secrets: secrets, interval: .milliseconds(Int64(interval * 1000)),
                    logger: logger))
        }
        return services
    }

    /// Runs until SIGTERM/SIGINT, then drains and returns. The event-loop group lives exactly
    /// as long as this call. `onListening` gets the HTTP listener's bound address (again
    /// whenever a reload moves it).
    package func run(
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in },
        onListeningTLS: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.gateway.threads)
        let (listeners, others) = services(on: group)
        listeners.onListening(onListening)
        listeners.onListeningTLS(onListeningTLS)
        let services = ServiceGroup(
            configuration: .init(
                services: ([listeners] + others).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
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
