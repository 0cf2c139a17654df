import Foundation
import Yams

/// Loads an inventory (`connectors.yaml` or a platform topology file) together with the env
/// layers, validates every rule, and returns the resolved configuration or every problem at once.
public struct InventoryLoader: Sendable {
    public var registry: ConnectorRegistry
    public var environment: EnvironmentLayers

    public init(registry: ConnectorRegistry, environment: EnvironmentLayers) {
        self.registry = registry
        self.environment = environment
    }

    static let topLevelKeys = ["gateway", "connector_inventory"]
    static let connectorStructuralKeys: Set<String> = ["name", "kind", "labels", "websocket_paths"]
    static let namePattern = "^[a-z][a-z0-9_-]{0,62}$"

    /// Reads and loads the file at `path`; `displayPath` is how messages name it.
    public func load(path: String, displayPath: String? = nil) throws(ConfigError) -> GatewayConfiguration {
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
    public func load(
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
    public static func envPrefix(for name: String) -> String {
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

    // MARK: - Principals

    private func loadPrincipals(
        _ gateway: Node.Mapping?, path: String, connectors: [String], requireRef: Bool, diagnostics: inout Diagnostics
    ) -> [Principal] {
        guard let gateway, let (keyNode, node) = gateway.first(where: { $0.key.string == "principals" }), !node.isNull else {
            return []
        }
        guard case let .sequence(entries) = node else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: "\(path):\(keyNode.line)", key: "principals",
                    problem: "'principals' must be a list but is \(node.kindName).",
                    fix: "Write each principal as '- name: worker' with 'token:' and 'connectors:'."))
            return []
        }
        var principals: [Principal] = []
        var seen: Set<String> = []
        for entry in entries {
            let location = "\(path):\(entry.line)"
            guard case let .mapping(mapping) = entry else {
                diagnostics.append(
                    ConfigIssue(
                        .wrongType, at: location, key: "principals", problem: "A principal is \(entry.kindName), not a mapping.",
                        fix: "Write '- name: worker' followed by 'token:' and 'connectors:'."))
                continue
            }
            let name = mapping.first { $0.key.string == "name" }?.value.string ?? "?"
            let label = "principal '\(name)'"
            let reader = SettingsReader(
                path: path, environment: environment, requireReference: requireRef, connector: label, envPrefix: "")
            let settings = reader.read(
                mapping, specs: CommonSettings.principal, handledElsewhere: ["connectors", "permissions", "pomerium", "temporal_namespaces"],
                into: &diagnostics)
            if !seen.insert(name).inserted {
                diagnostics.append(
                    ConfigIssue(
                        .duplicateName, at: location, connector: label, key: "name",
                        problem: "The principal name '\(name)' is used twice.", fix: "Give each principal a unique name."))
            }
            let allowed = stringList(mapping, "connectors", path: path, owner: label, diagnostics: &diagnostics)
            for connector in allowed.values where connector != "*" && !connectors.contains(connector) {
                diagnostics.append(
                    ConfigIssue(
                        .unknownPrincipalConnector, at: allowed.location, connector: label, key: "connectors",
                        problem:
                            "The principal may use '\(connector)', which is not in the inventory.\(Suggestion.didYouMean(connector, in: connectors))",
                        fix: "Use names from connector_inventory (\(connectors.joined(separator: ", "))) or \"*\" for all."))
            }
            let permissions = stringList(mapping, "permissions", path: path, owner: label, diagnostics: &diagnostics)
            for permission in permissions.values where !Principal.knownPermissions.contains(permission) {
                diagnostics.append(
                    ConfigIssue(
                        .invalidValue, at: permissions.location, connector: label, key: "permissions",
                        problem: "The permission '\(permission)' is not known.",
                        fix: "Use one of: \(Principal.knownPermissions.sorted().joined(separator: ", "))."))
            }
            let namespaces = temporalNamespaces(mapping, path: path, label: label, diagnostics: &diagnostics)
            let certificate = certificateMatch(settings, label: label, diagnostics: &diagnostics)
            let pomerium = pomeriumMatch(mapping, path: path, label: label, diagnostics: &diagnostics)
            let token = settings["token"].flatMap { setting in setting.value.secretValue.map { Sourced($0, from: setting.source) } }
            if settings["token"] == nil, pomerium == nil, !settings.ordered.contains(where: { $0.key.hasPrefix("certificate.") }),
                !mapping.contains(where: { $0.key.string == "pomerium" })
            {
                diagnostics.append(
                    ConfigIssue(
                        .principalWithoutCredential, at: location, connector: label, key: "token",
                        problem: "The principal has no way to authenticate: none of 'token', 'certificate' or 'pomerium' is set.",
                        fix:
                            "Add 'token:' with a reference (openbao://, env://, file://), 'certificate: {uri_san: spiffe://...}' (with gateway.tls.client_ca_file), or 'pomerium: {emails: [...]}' (with gateway.identity.pomerium)."
                    ))
            }
            guard token != nil || certificate != nil || pomerium != nil else { continue }
            let perSecond = settings["rate.requests_per_second"]?.value.integerValue
            for key in ["rate.burst", "rate.per_connector"] where perSecond == nil && settings[key]?.source.isDefaultValue == false {
                diagnostics.append(
                    ConfigIssue(
                        .invalidValue, at: location, connector: label, key: key,
                        problem: "\(key) is set without rate.requests_per_second.",
                        fix: "Add 'requests_per_second' under 'rate:', or remove '\(key.dropFirst(5))'."))
            }
            let rate = perSecond.map {
                Principal.Rate(
                    perSecond: $0, burst: settings["rate.burst"]?.value.integerValue ?? $0,
                    perConnector: settings["rate.per_connector"]?.value.boolValue ?? false)
            }
            principals.append(
                Principal(
                    name: name, location: location, token: token,
                    connectors: allowed.values, permissions: Set(permissions.values), rate: rate,
                    maxInFlight: settings["max_in_flight"]?.value.integerValue, maxTunnels: settings["max_tunnels"]?.value.integerValue,
                    certificate: certificate, pomerium: pomerium, namespaces: namespaces))
        }
        return principals
    }

    /// `temporal_namespaces: [default, "team-*"]`: exact names, prefixes with one trailing `*`,
    /// or `*`; nil when not set.
    private func temporalNamespaces(
        _ mapping: Node.Mapping, path: String, label: String, diagnostics: inout Diagnostics
    ) -> [String]? {
        guard mapping.contains(where: { $0.key.string == "temporal_namespaces" }) else { return nil }
        let list = stringList(mapping, "temporal_namespaces", path: path, owner: label, diagnostics: &diagnostics)
        for pattern in list.values where pattern.isEmpty || pattern.dropLast().contains("*") {
            diagnostics.append(
                ConfigIssue(
                    .invalidValue, at: list.location, connector: label, key: "temporal_namespaces",
                    problem: "'\(pattern)' is not a namespace pattern.",
                    fix: "Write namespace names, a prefix with one trailing '*' (team-*), or '*' for every namespace."))
        }
        return list.values
    }

    // MARK: - Environment

    /// Env variables under a connector's prefix that no setting reads: raw selectors are refused
    /// (rule 5); anything else is probably a typo and is reported as a warning.
    private func checkEnvironment(connectors: [ConnectorConfig], diagnostics: inout Diagnostics) {
        let prefixes = connectors.map(\.envPrefix)
        for connector in connectors {
            let known = Set(connector.kind.settingSpecs.compactMap { $0.variable(prefix: connector.envPrefix) })
            for name in environment.names(withPrefix: connector.envPrefix) where !known.contains(name) {
                // A longer prefix of another connector owns this variable.
                if prefixes.contains(where: { $0 != connector.envPrefix && $0.count > connector.envPrefix.count && name.hasPrefix($0) }) {
                    continue
                }
                let suffix = String(name.dropFirst(connector.envPrefix.count))
                let source = environment.lookup(name)!.source
                if CommonSettings.rawInfraSelectors.contains(suffix.lowercased()) {
                    diagnostics.append(
                        ConfigIssue(
                            .rawInfraSelector, at: source.description, connector: connector.name, key: suffix.lowercased(),
                            problem: "\(name) is a raw infrastructure selector; the control vocabulary is the runtime asset.",
                            fix: "Remove it and set \(connector.envPrefix)RUNTIME_ASSET_ID and \(connector.envPrefix)RUNTIME_ASSET_ROLE instead."))
                } else if source.isEnvFile {
                    let suggestion = Suggestion.closest(to: name, in: known)
                    diagnostics.append(
                        ConfigIssue(
                            .unknownEnvKey, severity: .warning, at: source.description, connector: connector.name,
                            problem: "\(name) is not read by this connector.\(suggestion.map { " Did you mean \($0)?" } ?? "")",
                            fix: "Remove it, or correct its name (known: \(known.sorted().joined(separator: ", ")))."))
                }
            }
        }
    }

    /// A CA file that cannot be read would make every TLS connection fail later: refuse it now.
    private func checkFiles(connectors: [ConnectorConfig], baseDirectory: String, diagnostics: inout Diagnostics) {
        for connector in connectors where connector.isEnabled {
            checkClientCertificate(connector, baseDirectory: baseDirectory, diagnostics: &diagnostics)
            if let issue = Self.unreadableFile(
                connector.settings["ca_file"], baseDirectory: baseDirectory, code: .caFileUnreadable, connector: connector.name,
                key: "ca_file", what: "The CA file",
                fix: "Point ca_file at a readable PEM file (relative paths are read from the inventory's folder).")
            {
                diagnostics.append(issue)
            }
        }
    }

    /// Upstream mTLS needs both halves, and a path (not a reference) must be readable.
    private func checkClientCertificate(_ connector: ConnectorConfig, baseDirectory: String, diagnostics: inout Diagnostics) {
        let certificate = connector.settings["client_cert_file"]
        let key = connector.settings["client_key_file"]
        if (certificate == nil) != (key == nil) {
            let missing = certificate == nil ? "client_cert_file" : "client_key_file"
            let present = certificate == nil ? "client_key_file" : "client_cert_file"
            diagnostics.append(
                ConfigIssue(
                    .clientCertificateIncomplete, at: (certificate ?? key)?.source.description ?? connector.location,
                    connector: connector.name, key: present,
                    problem: "'\(present)' is set but '\(missing)' is not: a client certificate needs both.",
                    fix: "Set '\(missing)' too (\(connector.envPrefix)\(missing.uppercased())), or remove '\(present)'."))
            return
        }
        for (name, setting) in [("client_cert_file", certificate), ("client_key_file", key)] {
            if let issue = Self.unreadableFile(
                setting, baseDirectory: baseDirectory, code: .clientCertificateUnusable, connector: connector.name, key: name,
                fix:
                    "Point \(name) at a readable PEM file (relative paths are read from the inventory's folder), or write a reference (file://PATH, openbao://mount/path#field)."
            ) {
                diagnostics.append(issue)
            }
        }
    }

    // MARK: - Small readers

    private func scalar(
        _ mapping: Node.Mapping, _ key: String, path: String, connector: String?, diagnostics: inout Diagnostics
    ) -> (value: String, location: String)? {
        guard let (keyNode, node) = mapping.first(where: { $0.key.string == key }), !node.isNull else { return nil }
        guard case let .scalar(scalar) = node else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: "\(path):\(keyNode.line)", connector: connector, key: key,
                    problem: "'\(key)' must be a single value but is \(node.kindName).", fix: "Write '\(key): <value>'."))
            return nil
        }
        return (scalar.string, "\(path):\(keyNode.line)")
    }

    func stringList(
        _ mapping: Node.Mapping, _ key: String, path: String, owner: String, diagnostics: inout Diagnostics
    ) -> (values: [String], location: String) {
        guard let (keyNode, node) = mapping.first(where: { $0.key.string == key }), !node.isNull else {
            return ([], path)
        }
        let location = "\(path):\(keyNode.line)"
        guard case let .sequence(items) = node else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: location, connector: owner, key: key,
                    problem: "'\(key)' must be a list but is \(node.kindName).", fix: "Write '\(key): [a, b]'."))
            return ([], location)
        }
        var values: [String] = []
        for item in items {
            guard case let .scalar(scalar) = item else {
                diagnostics.append(
                    ConfigIssue(
                        .wrongType, at: "\(path):\(item.line)", connector: owner, key: key,
                        problem: "An item of '\(key)' is \(item.kindName).", fix: "List plain names."))
                continue
            }
            values.append(scalar.string)
        }
        return (values, location)
    }

    /// `websocket_paths`: caller paths under `/executor/<connector>` where a WebSocket upgrade
    /// is passed; each canonical and absolute. Nil when the entry does not set it.
    private func websocketPaths(
        _ mapping: Node.Mapping, path: String, connector: String, diagnostics: inout Diagnostics
    ) -> [String]? {
        guard mapping.contains(where: { $0.key.string == "websocket_paths" }) else { return nil }
        let paths = stringList(mapping, "websocket_paths", path: path, owner: connector, diagnostics: &diagnostics)
        for value in paths.values where !value.hasPrefix("/") || !CanonicalPath.isCanonical(Substring(value)) {
            diagnostics.append(
                ConfigIssue(
                    .invalidValue, at: paths.location, connector: connector, key: "websocket_paths",
                    problem: "'\(value)' is not an absolute canonical path.",
                    fix:
                        "Write paths as the caller spells them after /executor/\(connector), e.g. '/v1/realtime', without '..', '.', '//' or escapes."
                ))
        }
        return paths.values
    }

    private func checkLabels(_ mapping: Node.Mapping, path: String, connector: String, diagnostics: inout Diagnostics) {
        guard let (keyNode, node) = mapping.first(where: { $0.key.string == "labels" }), !node.isNull else { return }
        guard case let .mapping(labels) = node, labels.allSatisfy({ $0.key.string != nil && $0.value.string != nil }) else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: "\(path):\(keyNode.line)", connector: connector, key: "labels",
                    problem: "'labels' must be a mapping of names to single values.", fix: "Write 'labels: {team: ops}'."))
            return
        }
    }
}

extension ValueSource {

    var isEnvFile: Bool {
        if case .envFile = self { return true }
        return false
    }
}
