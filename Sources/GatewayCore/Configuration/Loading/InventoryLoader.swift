import Foundation
import Yams

/// Loads an inventory (`connectors.yaml` or a platform topology file) together with the env
/// layers, validates every rule, and returns the resolved configuration or every problem at once.
package struct InventoryLoader: Sendable {
    package var registry: ConnectorRegistry
    package var environment: EnvironmentLayers

    package init(registry: ConnectorRegistry, environment: EnvironmentLayers) {
        self.registry = registry
        self.environment = environment
    }

    static let topLevelKeys = ["gateway", "connector_inventory"]
    static let connectorStructuralKeys: Set<String> = ["name", "kind", "labels", "websocket_paths"]
    static let namePattern = "^[a-z][a-z0-9_-]{0,62}$"

    /// Reads and loads the file at `path`; `displayPath` is how messages name it.
    package func load(path: String, displayPath: String? = nil) throws(ConfigError) -> GatewayConfiguration {
        let shown = displayPath ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(issues: [
                ConfigIssue(
                    .fileUnreadable, at: shown, problem: "The inventory file cannot be read (missing or not permitted).",
                    fix: "Check the path given to --inventory; the default is ./connectors.yaml.")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(issues: [
                ConfigIssue(
                    .yamlSyntax, at: shown, problem: "The inventory file is not UTF-8 text.", fix: "Save it as UTF-8.")
            ])
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try load(text: text, path: shown, baseDirectory: directory.isEmpty ? "." : directory)
    }

    /// Loads inventory text; `path` names it in messages, `baseDirectory` anchors relative paths.
    package func load(
        text: String, path: String, baseDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigError) -> GatewayConfiguration {
        var diagnostics = Diagnostics()
        let requireRef = environment.requireReferenceForSensitive
        guard let root = try YAMLSource.parse(text, path: path) else {
            throw ConfigError(issues: [
                ConfigIssue(
                    .missingSection, at: "\(path):1", problem: "The inventory is empty.",
                    fix: "Add a 'connector_inventory:' list (see the bundled connectors.yaml).")
            ])
        }
        guard case let .mapping(top) = root else {
            throw ConfigError(issues: [
                ConfigIssue(
                    .wrongType, at: "\(path):\(root.line)", problem: "The document is \(root.kindName), not a mapping.",
                    fix: "Start the file with 'gateway:' and 'connector_inventory:' sections.")
            ])
        }

        // Top level: strict for a gateway inventory, lenient (but typo-aware) for a topology file.
        var gatewayNode: Node.Mapping?
        var inventoryNode: Node?
        var inventoryLine = 0
        var others: [(String, Int)] = []
        for (keyNode, valueNode) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "gateway":
                if valueNode.isNull { continue }
                guard case let .mapping(mapping) = valueNode else {
                    diagnostics.append(
                        ConfigIssue(
                            .wrongType, at: "\(path):\(keyNode.line)", key: "gateway",
                            problem: "'gateway' must be a mapping but is \(valueNode.kindName).",
                            fix: "Write 'gateway:' followed by indented keys such as 'listen: 127.0.0.1:8080'."))
                    continue
                }
                gatewayNode = mapping
            case "connector_inventory":
                inventoryNode = valueNode
                inventoryLine = keyNode.line
            default:
                others.append((key, keyNode.line))
            }
        }
        let isTopology = gatewayNode == nil && !others.isEmpty
        for (key, line) in others {
            let suggestion = Suggestion.closest(to: key, in: Self.topLevelKeys)
            if !isTopology || suggestion != nil {
                diagnostics.append(
                    ConfigIssue(
                        .unknownKey, at: "\(path):\(line)", key: key,
                        problem: "The top-level key '\(key)' is not known.\(suggestion.map { " Did you mean '\($0)'?" } ?? "")",
                        fix: "Use 'gateway:' and 'connector_inventory:' only."))
            }
        }

        // The gateway section.
        let gatewayReader = SettingsReader(
            path: path, environment: environment, requireReference: requireRef, connector: nil, envPrefix: "FRACTALOPS_")
        let gatewaySettings = gatewayReader.read(
            gatewayNode, specs: CommonSettings.gateway, handledElsewhere: ["principals"], into: &diagnostics)

        // The connectors.
        var connectors: [ConnectorConfig] = []
        switch inventoryNode {
        case nil:
            diagnostics.append(
                ConfigIssue(
                    .missingSection, at: "\(path):1", key: "connector_inventory",
                    problem: "The inventory has no 'connector_inventory' section.",
                    fix: "Add 'connector_inventory:' with a list of connectors (see the bundled connectors.yaml)."))
        case let .some(node) where node.isNull:
            break
        case let .some(.sequence(entries)):
            connectors = loadConnectors(
                entries, path: path, requireRef: requireRef, isTopology: isTopology, diagnostics: &diagnostics)
        case let .some(node):
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: "\(path):\(inventoryLine)", key: "connector_inventory",
                    problem: "'connector_inventory' must be a list but is \(node.kindName).",
                    fix: "Write each connector as a list item starting with '- name: ...'."))
        }

        let principals = loadPrincipals(
            gatewayNode, path: path, connectors: connectors.map(\.name), requireRef: requireRef, diagnostics: &diagnostics)
        checkEnvironment(connectors: connectors, diagnostics: &diagnostics)
        checkFiles(connectors: connectors, baseDirectory: baseDirectory, diagnostics: &diagnostics)
        checkGatewayTLS(gatewaySettings, path: path, baseDirectory: baseDirectory, diagnostics: &diagnostics)
        checkClientCertificates(
            gatewaySettings, principals: principals, connectors: connectors, path: path, baseDirectory: baseDirectory,
            diagnostics: &diagnostics)
        checkTCPListenerTLS(connectors, principals: principals, baseDirectory: baseDirectory, diagnostics: &diagnostics)
        checkPomerium(gatewaySettings, principals: principals, path: path, diagnostics: &diagnostics)

        try diagnostics.check()
        return GatewayConfiguration(
            inventoryPath: path, baseDirectory: baseDirectory, isTopologyFile: isTopology, ignoredSections: isTopology ? others.map(\.0) : [],
            gateway: GatewaySettings(settings: gatewaySettings, principals: principals),
            connectors: connectors, warnings: diagnostics.issues, environment: environment,
            requireReferenceForSensitive: requireRef)
    }

    /// The env prefix of a connector name: `nexus-lab` -> `FRACTALOPS_NEXUS_LAB_`.
    package static func envPrefix(for name: String) -> String {
        "FRACTALOPS_" + name.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
    }

    // MARK: - Connectors

    private func loadConnectors(
        _ entries: Node.Sequence, path: String, requireRef: Bool, isTopology: Bool, diagnostics: inout Diagnostics
    ) -> [ConnectorConfig] {
        var connectors: [ConnectorConfig] = []
        var namesSeen: [String: Int] = [:]
        var prefixesSeen: [String: String] = [:]
        for entry in entries {
            let location = "\(path):\(entry.line)"
            guard case let .mapping(mapping) = entry else {
                diagnostics.append(
                    ConfigIssue(
                        .wrongType, at: location, problem: "A connector entry is \(entry.kindName), not a mapping.",
                        fix: "Write each connector as '- name: ...' followed by its keys."))
                continue
            }
            guard let name = scalar(mapping, "name", path: path, connector: nil, diagnostics: &diagnostics) else {
                diagnostics.append(
                    ConfigIssue(
                        .requiredKey, at: location, key: "name", problem: "A connector entry has no 'name'.",
                        fix: "Add 'name: <id>' (lower case letters, digits, '-' and '_'); it is also the env prefix."))
                continue
            }
            guard name.value.range(of: Self.namePattern, options: .regularExpression) != nil else {
                diagnostics.append(
                    ConfigIssue(
                        .invalidName, at: name.location, connector: name.value, key: "name",
                        problem: "'\(name.value)' is not a valid connector name.",
                        fix: "Use lower case letters, digits, '-' and '_', starting with a letter (it becomes the FRACTALOPS_<NAME>_ env prefix)."))
                continue
            }
            if let earlier = namesSeen[name.value] {
                diagnostics.append(
                    ConfigIssue(
                        .duplicateName, at: name.location, connector: name.value, key: "name",
                        problem: "The connector name '\(name.value)' is already used at line \(earlier).",
                        fix: "Give each connector a unique name."))
                continue
            }
            namesSeen[name.value] = Int(name.location.split(separator: ":").last ?? "") ?? 0
            let prefix = Self.envPrefix(for: name.value)
            if let other = prefixesSeen[prefix] {
                diagnostics.append(
                    ConfigIssue(
                        .duplicateName, at: name.location, connector: name.value, key: "name",
                        problem: "'\(name.value)' and '\(other)' share the env prefix \(prefix), so their env variables would collide.",
                        fix: "Rename one of them."))
                continue
            }
            prefixesSeen[prefix] = name.value

            guard let kind = resolveKind(mapping, name: name, path: path, diagnostics: &diagnostics) else { continue }
            let reader = SettingsReader(
                path: path, environment: environment, requireReference: requireRef, connector: name.value, envPrefix: prefix,
                unknownKeysAreWarnings: isTopology)
            var localDiagnostics = Diagnostics()
            let settings = reader.read(
                mapping, specs: kind.settingSpecs, handledElsewhere: Self.connectorStructuralKeys, into: &localDiagnostics)
            checkLabels(mapping, path: path, connector: name.value, diagnostics: &localDiagnostics)
            guard let defaultBehavior = registry.modes.behavior(for: kind.defaultMode) else {
                diagnostics.append(unknownModeIssue(kind.defaultMode, at: location, connector: name.value, key: "kind"))
                continue
            }
            var connector = ConnectorConfig(
                name: name.value, kind: kind, location: location, envPrefix: prefix, settings: settings,
                connectorMode: kind.defaultMode, modeReason: .defaultOfKind(kind.name), modeBehavior: defaultBehavior,
                machineRoute: .none("not resolved"))
            if resolveMode(&connector, diagnostics: &localDiagnostics) {
                connector.modeBehavior.resolveRoute(&connector, into: &localDiagnostics)
                if let note = connector.modeBehavior.note(for: connector) {
                    localDiagnostics.append(
                        ConfigIssue(
                            .modeWithoutEffect, severity: .warning, at: connector.modeLocation, connector: connector.name,
                            key: "connector_mode", problem: note,
                            fix:
                                "Nothing to do if that is what you meant; otherwise choose a connector_mode that means something for kind '\(kind.name)'."
                        ))
                }
            }
            connector.websocketPaths = websocketPaths(mapping, path: path, connector: name.value, diagnostics: &localDiagnostics)
            if !localDiagnostics.hasErrors { kind.finalize(&connector, into: &localDiagnostics) }
            diagnostics.append(contentsOf: localDiagnostics.issues)
            connectors.append(connector)
        }
        return connectors
    }

    private func resolveKind(
        _ mapping: Node.Mapping, name: (value: String, location: String), path: String, diagnostics: inout Diagnostics
    ) -> (any ConnectorKind)? {
        let known = registry.all.map(\.name)
        guard let kindName = scalar(mapping, "kind", path: path, connector: name.value, diagnostics: &diagnostics) else {
            if let inferred = registry.kind(named: name.value) { return inferred }
            diagnostics.append(
                ConfigIssue(
                    .requiredKey, at: name.location, connector: name.value, key: "kind",
                    problem: "The connector has no 'kind', and its name is not a known kind.",
                    fix: "Add 'kind:' with one of \(known.joined(separator: ", ")) ('http' for a generic endpoint)."))
            return nil
        }
        guard let kind = registry.kind(named: kindName.value) else {
            diagnostics.append(
                ConfigIssue(
                    .unknownKind, at: kindName.location, connector: name.value, key: "kind",
                    problem: "The kind '\(kindName.value)' is not known.\(Suggestion.didYouMean(kindName.value, in: known))",
                    fix: "Use one of: \(known.joined(separator: ", "))."))
            return nil
        }
        return kind
    }

    /// Rules 1-3: one effective connector_mode, implemented by a registered mode and allowed
    /// for the kind. False when no mode could be chosen (the route is then left unresolved).
    private func resolveMode(_ connector: inout ConnectorConfig, diagnostics: inout Diagnostics) -> Bool {
        let override = connector.settings["connector_mode"]
        let synonym = connector.settings["integration_mode"]
        if let override, let synonym, override.value != synonym.value {
            diagnostics.append(
                ConfigIssue(
                    .conflictingMode, at: override.source.description, connector: connector.name, key: "connector_mode",
                    problem:
                        "connector_mode '\(override.value)' (\(override.source)) and integration_mode '\(synonym.value)' (\(synonym.source)) disagree.",
                    fix: "Set only one of them (integration_mode is a synonym of connector_mode)."))
            return false
        }
        let kind = connector.kind
        let mode: ConnectorMode
        let reason: ConnectorConfig.ModeReason
        if let chosen = override ?? synonym, let text = chosen.value.stringValue, let parsed = ConnectorMode(rawValue: text) {
            mode = parsed
            reason = override != nil ? .override(chosen.source) : .synonym(chosen.source)
        } else {
            mode = kind.defaultMode
            reason = .defaultOfKind(kind.name)
        }
        connector.connectorMode = mode
        connector.modeReason = reason
        let key = override != nil ? "connector_mode" : "integration_mode"
        guard let behavior = registry.modes.behavior(for: mode) else {
            diagnostics.append(unknownModeIssue(mode, at: connector.modeLocation, connector: connector.name, key: key))
            return false
        }
        if let refusal = behavior.refusal(for: kind) {
            diagnostics.append(
                ConfigIssue(
                    .runtimeGatewayKind, at: connector.modeLocation, connector: connector.name, key: key, problem: refusal,
                    fix: "Use one of \(kind.supportedModes.map(\.rawValue).joined(separator: ", ")), or kind: cliproxy for a runtime gateway."))
            return false
        }
        connector.modeBehavior = behavior
        return true
    }

    /// A mode no registered implementation answers for, with the ones that are registered.
    private func unknownModeIssue(_ mode: ConnectorMode, at location: String, connector: String, key: String) -> ConfigIssue {
        ConfigIssue(
            .unknownMode, at: location, connector: connector, key: key,
            problem: "No implementation of connector_mode \(mode) is registered in this gateway.",
            fix: "Use one of: \(registry.modes.order.map(\.rawValue).joined(separator: ", ")).")
    }

}
