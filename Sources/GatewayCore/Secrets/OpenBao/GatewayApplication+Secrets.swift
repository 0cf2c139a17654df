import Logging
import ServiceLifecycle

extension GatewayApplication {
    /// Resolves every secret the configuration uses (fail closed: any failure throws, naming the
    /// reference, connector and key), builds the application, and adds the services that keep
    /// the secrets current: the `SecretRefresher` when `openbao://` or `file://` references are
    /// in use and `gateway.openbao.refresh_interval` is not 0, and the `OpenBaoTokenRenewer`
    /// when OpenBao is used. The executable and the tests call this.
    public static func build(
        configuration: GatewayConfiguration, logger: Logger, listen: HostPort? = nil, resolver: SecretResolver
    ) async throws(ConfigError) -> GatewayApplication {
        let secrets = try await SecretStore.resolve(configuration, using: resolver.session())
        var application = try GatewayApplication(configuration: configuration, logger: logger, listen: listen, secrets: secrets)
        application.services += secretServices(application: application, resolver: resolver, secrets: secrets, logger: logger)
        return application
    }

    static func secretServices(
        application: GatewayApplication, resolver: SecretResolver, secrets: SecretStore, logger: Logger
    ) -> [any Service] {
        let references = SecretStore.uses(in: application.configuration).compactMap(\.source.value.reference)
        let usesOpenBao = references.contains { if case .openBao = $0 { return true } else { return false } }
        let usesFiles = references.contains { if case .file = $0 { return true } else { return false } }
        var services: [any Service] = []
        if usesOpenBao, let openBao = resolver.openBao {
            services.append(OpenBaoTokenRenewer(auth: openBao.client.auth, logger: logger))
        }
        let interval = OpenBaoConfiguration(application.configuration).refreshInterval
        if (usesOpenBao || usesFiles) && interval > 0 {
            services.append(
                SecretRefresher(
                    holder: application.holder, resolver: resolver, secrets: secrets,
                    interval: .milliseconds(Int64(interval * 1000)), logger: logger))
        }
        return services
    }
}
