/// Projects a loaded configuration into the env contract: canonical runtime asset selectors
/// first, then each connector's bindings (its own selectors first), Nexus's derived URLs and the
/// Temporal executor address.
package enum EnvProjection {
    package struct Entry: Sendable, Hashable {
        package var key: String
        package var value: String
    }

    package static func project(_ configuration: GatewayConfiguration) -> [Entry] {
        var entries: [Entry] = []
        let gateway = configuration.gateway.settings
        let leading = ["runtime_asset.id", "runtime_asset.role"]
        for spec in leading.compactMap({ key in CommonSettings.gateway.first { $0.key == key } }) {
            if let value = gateway[spec.key], let name = spec.variable(prefix: "") {
                entries.append(Entry(key: name, value: text(value.value)))
            }
        }
        for spec in CommonSettings.gateway where !leading.contains(spec.key) {
            if let value = gateway[spec.key], !value.source.isDefaultValue, let name = spec.variable(prefix: "") {
                entries.append(Entry(key: name, value: text(value.value)))
            }
        }
        for connector in configuration.connectors {
            entries.append(contentsOf: project(connector))
        }
        return entries
    }

    /// The variables of every secret-typed setting (credentials), for refusing literals.
    package static func secretVariables(_ configuration: GatewayConfiguration) -> Set<String> {
        var names: Set<String> = []
        for connector in configuration.connectors {
            for spec in connector.kind.settingSpecs where spec.type == .secret {
                if let name = spec.variable(prefix: connector.envPrefix) { names.insert(name) }
            }
        }
        return names
    }

    static func project(_ connector: ConnectorConfig) -> [Entry] {
        let specs = connector.kind.settingSpecs
        let leading = ["runtime_asset.id", "runtime_asset.role"]
        let ordered = leading.compactMap { key in specs.first { $0.key == key } } + specs.filter { !leading.contains($0.key) }
        var entries: [Entry] = []
        for spec in ordered {
            guard let name = spec.variable(prefix: connector.envPrefix) else { continue }
            switch spec.key {
            case "integration_mode":
                continue  // folded into CONNECTOR_MODE
            case "connector_mode":
                entries.append(Entry(key: name, value: connector.connectorMode.rawValue))
            case "verify_tls":
                if case .http = connector.machineRoute {
                    entries.append(Entry(key: name, value: connector.verifyTLS ? "true" : "false"))
                }
            default:
                if let value = connector.settings[spec.key], !value.source.isDefaultValue {
                    entries.append(Entry(key: name, value: text(value.value)))
                }
            }
        }
        return entries
    }

    /// The text of a value as the env contract carries it. Literal secrets are written as they
    /// are (only reachable when literals are allowed); references as references.
    static func text(_ value: SettingValue) -> String {
        if case let .secret(.literal(secret)) = value { return secret.withUnredactedValue { $0 } }
        return value.description
    }
}
