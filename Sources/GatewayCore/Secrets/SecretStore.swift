/// The secrets a running gateway uses, resolved at start (and re-read by `SecretRefresher`):
/// connector credentials and principal tokens. Unresolvable references stop the start (fail
/// closed).
package struct SecretStore: Sendable, Equatable {
    /// Keyed by `<connector>/<setting key>`, e.g. `langboard/auth.api_key`, and
    /// `principal/<name>` for principal tokens.
    package private(set) var values: [String: SecretValue] = [:]

    package init() {}

    init(values: [String: SecretValue]) {
        self.values = values
    }

    package func credential(connector: String, key: String) -> SecretValue? { values["\(connector)/\(key)"] }
    package func principalToken(_ name: String) -> SecretValue? { values["principal/\(name)"] }

    /// One place a secret is used: by an enabled connector's setting, or as a principal's token.
    package struct Use: Sendable {
        /// The store key (`langboard/auth.api_key`, `principal/worker`).
        package var id: String
        package var source: Sourced<SecretSource>
        /// For messages: the connector, or `principal 'name'`.
        package var owner: String
        package var key: String
    }

    /// Every secret in use: those of enabled connectors and of the principals.
    package static func uses(in configuration: GatewayConfiguration) -> [Use] {
        var uses: [Use] = []
        for connector in configuration.connectors where connector.isEnabled {
            for (key, source) in connector.secretSources {
                uses.append(Use(id: "\(connector.name)/\(key)", source: source, owner: connector.name, key: key))
            }
        }
        for (key, setting) in configuration.gateway.settings.ordered {
            guard let secret = setting.value.secretValue else { continue }
            uses.append(Use(id: "gateway/\(key)", source: Sourced(secret, from: setting.source), owner: "gateway", key: key))
        }
        for principal in configuration.gateway.principals {
            guard let token = principal.token else { continue }
            uses.append(
                Use(
                    id: "principal/\(principal.name)", source: token,
                    owner: "principal '\(principal.name)'", key: "token"))
        }
        return uses
    }

    /// Resolves every reference an enabled connector or a principal uses, collecting all
    /// failures: each names the reference, the connector (or principal) and the key, never a value.
    package static func resolve(
        _ configuration: GatewayConfiguration,
        using resolve: (SecretReference) async throws -> SecretValue
    ) async throws(ConfigError) -> SecretStore {
        var store = SecretStore()
        var diagnostics = Diagnostics()
        for use in uses(in: configuration) {
            switch use.source.value {
            case let .literal(value):
                store.values[use.id] = value
            case let .reference(reference):
                do {
                    store.values[use.id] = try await resolve(reference)
                } catch {
                    diagnostics.append(unresolved(use, reference, error))
                }
            }
        }
        try diagnostics.check()
        return store
    }

    /// The issue reported for a reference that could not be resolved.
    static func unresolved(_ use: Use, _ reference: SecretReference, _ error: any Error) -> ConfigIssue {
        if let failure = error as? LocalSecretResolver.Failure, failure.literalRefused {
            return ConfigIssue(
                .literalSecretRefused, at: use.source.source.description, connector: use.owner, key: use.key,
                problem: "The secret reference \(reference) reaches a literal: \(failure.reason).",
                fix:
                    "Put an openbao:// reference in the env file (gateway render-env --harden-refs does it), or inject the variable into the process environment at run time."
            )
        }
        return ConfigIssue(
            .unresolvedReference, at: use.source.source.description, connector: use.owner, key: use.key,
            problem: "The secret reference \(reference) could not be resolved: \(reason(error)).",
            fix:
                "Make the reference resolvable (set the variable, create the file or the OpenBao secret, grant the gateway's OpenBao policy read access), or correct it."
        )
    }

    /// Why resolution failed, as the resolvers word it (never with a value).
    static func reason(_ error: any Error) -> String {
        if let failure = error as? LocalSecretResolver.Failure { return failure.reason }
        if let failure = error as? OpenBaoError { return failure.message }
        return String(describing: error)
    }
}

extension SecretStore {
    /// For tests that build a store without a configuration.
    package mutating func setForTesting(_ id: String, _ value: SecretValue) {
        values[id] = value
    }
}
