/// The secrets a running gateway uses, resolved once at start: connector credentials and
/// principal tokens. Unresolvable references stop the start (fail closed).
public struct SecretStore: Sendable {
    /// Keyed by `<connector>/<setting key>`, e.g. `langboard/auth.api_key`, and
    /// `principal/<name>` for principal tokens.
    public private(set) var values: [String: SecretValue] = [:]

    public init() {}

    public func credential(connector: String, key: String) -> SecretValue? { values["\(connector)/\(key)"] }
    public func principalToken(_ name: String) -> SecretValue? { values["principal/\(name)"] }

    /// Resolves every reference an enabled connector or a principal uses, collecting all failures.
    public static func resolve(
        _ configuration: GatewayConfiguration,
        using resolve: (SecretReference) throws -> SecretValue
    ) throws(ConfigError) -> SecretStore {
        var store = SecretStore()
        var diagnostics = Diagnostics()
        func take(_ id: String, _ source: Sourced<SecretSource>, connector: String?, key: String) {
            switch source.value {
            case let .literal(value):
                store.values[id] = value
            case let .reference(reference):
                do {
                    store.values[id] = try resolve(reference)
                } catch {
                    diagnostics.append(ConfigIssue(
                        .unresolvedReference, at: source.source.description, connector: connector, key: key,
                        problem: "The secret reference \(reference) could not be resolved: \(Self.reason(error)).",
                        fix: "Make the reference resolvable (set the variable, create the file or the OpenBao secret), or correct it."))
                }
            }
        }
        for connector in configuration.connectors where connector.isEnabled {
            for (key, source) in connector.secretSources {
                take("\(connector.name)/\(key)", source, connector: connector.name, key: key)
            }
        }
        for principal in configuration.gateway.principals {
            take("principal/\(principal.name)", principal.token, connector: "principal '\(principal.name)'", key: "token")
        }
        try diagnostics.check()
        return store
    }

    static func reason(_ error: any Error) -> String {
        if let failure = error as? LocalSecretResolver.Failure { return failure.reason }
        return String(describing: error)
    }
}

extension SecretStore {
    /// For tests that build a store without a configuration.
    package mutating func setForTesting(_ id: String, _ value: SecretValue) {
        values[id] = value
    }
}
