import Foundation

/// Checks across the loaded connectors: env variables no setting reads (raw selectors refused,
/// typos warned), files the settings name.
extension InventoryLoader {
    /// Env variables under a connector's prefix that no setting reads: raw selectors are refused
    /// (rule 5); anything else is probably a typo and is reported as a warning.
    func checkEnvironment(connectors: [ConnectorConfig], diagnostics: inout Diagnostics) {
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
    func checkFiles(connectors: [ConnectorConfig], baseDirectory: String, diagnostics: inout Diagnostics) {
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
    func checkClientCertificate(_ connector: ConnectorConfig, baseDirectory: String, diagnostics: inout Diagnostics) {
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
}
