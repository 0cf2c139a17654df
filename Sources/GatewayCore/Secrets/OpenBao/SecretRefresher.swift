import Logging
import ServiceLifecycle

/// Re-reads the references in use on an interval. When a value changed, builds a new proxy
/// context with the new secrets and swaps it in, so the next requests use it without a restart
/// (requests in flight finish with the old one). A reference that fails keeps its last good
/// value: the failure is logged once (and its recovery once) and counted in
/// `gateway_secret_refresh_failures_total`.
struct SecretRefresher: Service {
    let holder: ProxyContextHolder
    let resolver: SecretResolver
    let interval: Duration
    let logger: Logger
    let initial: SecretStore

    init(holder: ProxyContextHolder, resolver: SecretResolver, secrets: SecretStore, interval: Duration, logger: Logger) {
        self.holder = holder
        self.resolver = resolver
        self.initial = secrets
        self.interval = interval
        self.logger = logger
    }

    /// What the refresher carries from one round to the next.
    struct State: Sendable {
        var secrets: SecretStore
        /// Ids of the uses whose last refresh failed (logged once until they recover).
        var failing: Set<String> = []

        init(secrets: SecretStore) {
            self.secrets = secrets
        }
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await loop() }
        } catch is CancellationError {
            // Shutting down.
        }
    }

    private func loop() async throws {
        var state = State(secrets: initial)
        while true {
            try await Task.sleep(for: interval)
            state = await refresh(state)
        }
    }

    /// One round: re-reads every reference in use, swaps in a new context when a value changed.
    func refresh(_ previous: State) async -> State {
        let generation = holder.generation
        let context = holder.context
        let resolve = resolver.session()
        var state = previous
        // Compared with what the serving context was built from (a reload resolves its own).
        var values = context.secrets.values
        var changed: [String] = []
        var missing = false
        for use in SecretStore.uses(in: context.configuration) {
            switch use.source.value {
            case let .literal(value):
                values[use.id] = value
            case let .reference(reference):
                do {
                    let value = try await resolve(reference)
                    if values[use.id] != value {
                        changed.append(reference.description)
                        values[use.id] = value
                    }
                    if state.failing.remove(use.id) != nil {
                        logger.info("secret reference resolves again", metadata: metadata(use, reference))
                    }
                } catch {
                    context.metrics.secretRefreshFailed()
                    if values[use.id] == nil { missing = true }
                    if state.failing.insert(use.id).inserted {
                        var details = metadata(use, reference)
                        details["gateway.error"] = "\(SecretStore.reason(error))"
                        logger.error("secret refresh failed; keeping the last good value", metadata: details)
                    }
                }
            }
        }
        guard !changed.isEmpty, !missing else { return state }
        let secrets = SecretStore(values: values)
        do {
            let next = try context.successor(configuration: context.configuration, secrets: secrets)
            guard holder.replace(with: next, ifStill: generation) else {
                logger.info("secrets changed, but the configuration was reloaded meanwhile; the next round uses it")
                return state
            }
            context.metrics.secretsRotated()
            state.secrets = secrets
            logger.info(
                "secrets rotated: new requests use the new values",
                metadata: [
                    "gateway.secret.references": "\(Set(changed).sorted().joined(separator: ","))"
                ])
        } catch {
            context.metrics.secretRefreshFailed()
            logger.error(
                "secrets changed but the new context cannot be built; keeping the last good one",
                metadata: ["gateway.error": "\(error.description)"])
        }
        return state
    }

    private func metadata(_ use: SecretStore.Use, _ reference: SecretReference) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["gateway.secret.reference": "\(reference)", "gateway.key": "\(use.key)"]
        if use.id.hasPrefix("principal/") {
            metadata["gateway.principal"] = "\(use.id.dropFirst("principal/".count))"
        } else {
            metadata["gateway.connector"] = "\(use.owner)"
        }
        return metadata
    }
}
