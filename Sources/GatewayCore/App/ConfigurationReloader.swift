import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on SIGHUP: re-reads the inventory and env files, validates, resolves
/// every secret, and swaps the whole proxy context in at once. Requests in flight finish on the
/// context they started with; new ones use the new one. An invalid configuration (or one whose
/// secrets do not resolve) is refused with the same errors as `validate`, logged, counted, and
/// the old one keeps serving.
public struct ConfigurationReloader: Service {
    public typealias Loader = @Sendable () async throws(ConfigError) -> (GatewayConfiguration, SecretStore)

    let holder: ProxyContextHolder
    let load: Loader
    let logger: Logger

    /// `load` reads and validates the configuration and resolves its secrets (fail closed).
    public init(holder: ProxyContextHolder, logger: Logger, load: @escaping Loader) {
        self.holder = holder
        self.logger = logger
        self.load = load
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await reload()
        }
    }

    /// One reload; true when the new configuration was applied.
    @discardableResult
    public func reload() async -> Bool {
        let current = holder.context
        do {
            let (configuration, secrets) = try await load()
            let context = try GatewayApplication.makeContext(
                configuration: configuration, secrets: secrets, metrics: current.metrics, logger: current.logger,
                controlResponders: current.controlResponders, readiness: current.readiness)
            holder.replace(with: context)
            current.metrics.reloadApplied()
            logger.info("configuration reloaded", metadata: [
                "gateway.connectors": "\(configuration.connectorNames.joined(separator: ","))",
            ])
            if configuration.gateway.listen != current.configuration.gateway.listen {
                logger.warning("the listen address changed; it takes effect at the next restart", metadata: [
                    "gateway.listen": "\(current.configuration.gateway.listen)",
                    "gateway.listen.new": "\(configuration.gateway.listen)",
                ])
            }
            return true
        } catch {
            current.metrics.reloadRefused()
            logger.error("configuration reload refused; the previous configuration keeps serving", metadata: [
                "gateway.error": "\(error.description)",
            ])
            return false
        }
    }
}
