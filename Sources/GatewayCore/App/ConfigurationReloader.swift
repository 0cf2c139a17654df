import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on SIGHUP: re-reads the inventory and env files, validates, resolves
/// every secret, and swaps the whole proxy context in at once. Requests in flight finish on the
/// context they started with; new ones use the new one. An invalid configuration (or one whose
/// secrets do not resolve) is refused with the same errors as `validate`, logged, counted, and
/// the old one keeps serving. Listeners whose address changed are bound before the swap (a bind
/// failure refuses the reload) and the old ones retired after it; the others keep serving.
package struct ConfigurationReloader: Service {
    package typealias Loader = @Sendable () async throws(ConfigError) -> (GatewayConfiguration, SecretStore)

    let holder: ProxyContextHolder
    let listeners: ListenerSupervisor?
    let load: Loader
    let logger: Logger
    let hangups: UnixSignalsSequence?

    /// `load` reads and validates the configuration and resolves its secrets (fail closed).
    /// `hangups` is SIGHUP trapped before anything listens (`trapHangups()`): a SIGHUP sent as
    /// soon as the gateway says it listens must not find the default action (which ends it).
    package init(
        holder: ProxyContextHolder, listeners: ListenerSupervisor?, logger: Logger, hangups: UnixSignalsSequence? = nil,
        load: @escaping Loader
    ) {
        self.holder = holder
        self.listeners = listeners
        self.logger = logger
        self.hangups = hangups
        self.load = load
    }

    /// SIGHUP, trapped from now on.
    package static func trapHangups() async -> UnixSignalsSequence {
        await UnixSignalsSequence(trapping: .sighup)
    }

    package func run() async throws {
        let signals = if let hangups { hangups } else { await Self.trapHangups() }
        for await _ in signals.cancelOnGracefulShutdown() {
            await reload()
        }
    }

    /// One reload; true when the new configuration was applied.
    @discardableResult
    package func reload() async -> Bool {
        let current = holder.context
        do {
            let (configuration, secrets) = try await load()
            let context = try current.successor(configuration: configuration, secrets: secrets)
            let change = try await listeners?.prepare(for: configuration, secrets: secrets)
            holder.replace(with: context)
            if let change { listeners?.commit(change) }
            current.metrics.reloadApplied()
            closeTunnels(ofConnectorsRemovedFrom: current.configuration, by: configuration)
            logger.info(
                "configuration reloaded",
                metadata: [
                    "gateway.connectors": "\(configuration.connectorNames.joined(separator: ","))"
                ])
            return true
        } catch {
            current.metrics.reloadRefused()
            logger.error(
                "configuration reload refused; the previous configuration keeps serving",
                metadata: [
                    "gateway.error": "\(error)"
                ])
            return false
        }
    }

    /// Tunnels to a connector the reload removed keep running until the drain deadline, then
    /// close with 1001 (unless a later reload brought the connector back).
    private func closeTunnels(ofConnectorsRemovedFrom old: GatewayConfiguration, by new: GatewayConfiguration) {
        let removed = Set(old.connectorNames).subtracting(new.connectorNames)
        guard !removed.isEmpty, holder.tunnels.openByConnector.keys.contains(where: removed.contains) else { return }
        let holder = self.holder
        let logger = self.logger
        let deadline = new.gateway.drainTimeout
        Task {
            try? await Task.sleep(for: .seconds(deadline))
            let stillRemoved = removed.subtracting(holder.context.configuration.connectorNames)
            let ended = await holder.tunnels.goAway(.reload, where: stillRemoved.contains)
            if ended > 0 {
                logger.info(
                    "WebSocket tunnels of removed connectors closed with 1001 going away",
                    metadata: [
                        "gateway.tunnels": "\(ended)", "gateway.connectors": "\(stillRemoved.sorted().joined(separator: ","))",
                    ])
            }
        }
    }
}
