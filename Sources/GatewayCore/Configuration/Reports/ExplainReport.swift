import Foundation

/// What `gateway explain` prints: every effective setting and where it came from. Secrets show
/// their reference (or `<redacted literal>`), never a value.
package struct ExplainReport: Codable, Sendable {
    package struct Setting: Codable, Sendable, Equatable {
        package var key: String
        package var value: String
        package var source: String
        package var env: String?
    }

    package struct Connector: Codable, Sendable {
        package var name: String
        package var kind: String
        package var kindSummary: String
        package var enabled: Bool
        package var location: String
        package var envPrefix: String
        package var connectorMode: String
        package var connectorModeReason: String
        /// What the effective mode does to routing (its registered implementation's summary).
        package var connectorModeRouting: String
        package var supportedModes: [String]
        package var machineRoute: String
        /// The name TLS to the executor sends in SNI and verifies, and why; nil without TLS.
        package var tlsServerName: String?
        package var tlsServerNameReason: String?
        /// Caller paths where a WebSocket handshake is passed, and where they come from.
        package var websocketPaths: [String]
        package var websocketPathsSource: String
        package var runtimeAsset: [String: String]
        package var credentials: [String]
        /// What the connector's own listener does (TCP kinds), nil for HTTP kinds.
        package var listener: String?
        package var settings: [Setting]
    }

    package struct Principal: Codable, Sendable {
        package var name: String
        package var location: String
        /// Nil for a principal known by its client certificate only.
        package var token: String?
        package var tokenSource: String?
        /// `uri_san spiffe://fractalops/worker/*, subject_cn ...`: the client certificates that are this principal.
        package var certificate: String?
        /// `emails ...; groups ...`: the Pomerium identities that are this principal.
        package var pomerium: String?
        package var connectors: [String]
        package var permissions: [String]
        /// `temporal_namespaces`; nil when not set (every namespace).
        package var temporalNamespaces: [String]?
    }

    package struct Gateway: Codable, Sendable {
        package var settings: [Setting]
        package var principals: [Principal]
    }

    package var inventory: String
    package var readAsTopology: Bool
    package var ignoredSections: [String]
    package var envFiles: [String]
    package var requireReferenceForSensitive: Bool
    package var gateway: Gateway?
    package var connectors: [Connector]
    package var warnings: [IssueRecord]

    /// `only`: a single connector's report (the gateway section is left out).
    package init(_ configuration: GatewayConfiguration, only: String? = nil) {
        inventory = configuration.inventoryPath
        readAsTopology = configuration.isTopologyFile
        ignoredSections = configuration.ignoredSections
        envFiles = configuration.environment.files.map(\.path)
        requireReferenceForSensitive = configuration.requireReferenceForSensitive
        warnings = configuration.warnings.filter { only == nil || $0.connector == only }.map(IssueRecord.init)
        if only == nil {
            gateway = Gateway(
                settings: Self.settings(configuration.gateway.settings, specs: CommonSettings.gateway, prefix: "FRACTALOPS_"),
                principals: configuration.gateway.principals.map { principal in
                    Principal(
                        name: principal.name, location: principal.location, token: principal.token?.value.description,
                        tokenSource: principal.token?.source.description, certificate: principal.certificate?.description,
                        pomerium: principal.pomerium?.description, connectors: principal.connectors,
                        permissions: principal.permissions.sorted(), temporalNamespaces: principal.namespaces)
                })
        }
        connectors = configuration.connectors.filter { only == nil || $0.name == only }.map { connector in
            var asset: [String: String] = [:]
            asset["id"] = connector.runtimeAssetID
            asset["role"] = connector.runtimeAssetRole
            let kindPaths = connector.kind.routes(for: connector).flatMap(\.websocketPaths)
            let tlsName = connector.executorTLSServerName
            return Connector(
                name: connector.name, kind: connector.kind.name, kindSummary: connector.kind.summary,
                enabled: connector.isEnabled, location: connector.location, envPrefix: connector.envPrefix,
                connectorMode: connector.connectorMode.rawValue, connectorModeReason: connector.modeReason.description,
                connectorModeRouting: connector.modeBehavior.summary,
                supportedModes: connector.kind.supportedModes.map(\.rawValue),
                machineRoute: connector.machineRoute.description,
                tlsServerName: tlsName.map { $0.name ?? "(none: the address)" }, tlsServerNameReason: tlsName?.reason,
                websocketPaths: connector.websocketPaths ?? kindPaths,
                websocketPathsSource: connector.websocketPaths == nil
                    ? "default of kind '\(connector.kind.name)'" : "websocket_paths in the inventory",
                runtimeAsset: asset,
                credentials: connector.kind.credentials.map { "auth.\($0.key) -> \($0.header)\($0.scheme.map { " \($0) ..." } ?? "")" },
                listener: Self.listener(connector),
                settings: Self.settings(connector.settings, specs: connector.kind.settingSpecs, prefix: connector.envPrefix))
        }
    }

    /// What a TCP kind's own listener does with what it accepts.
    static func listener(_ connector: ConnectorConfig) -> String? {
        guard let route = connector.kind.tcpRoute(for: connector) else { return nil }
        let listen = route.listen
        let tls = connector.settings["listen_tls.cert_file"] == nil ? nil : "TLS terminated"
        guard let policy = route.grpc else {
            return "\(listen): bytes passed through to the upstream (\(tls.map { "\($0), re-originated" } ?? "TLS end to end if any"))"
        }
        return "\(listen): gRPC proxy (\(tls ?? "h2c")); every call checked: principal, method (\(policy.methods.count) known), namespace"
            + " against temporal_namespaces; request messages up to \(policy.maxMessageBytes) bytes"
    }

    static func settings(_ resolved: ResolvedSettings, specs: [SettingSpec], prefix: String) -> [Setting] {
        resolved.ordered.map { entry in
            Setting(
                key: entry.key, value: entry.value.value.description, source: entry.value.source.description,
                env: specs.first { $0.key == entry.key }?.variable(prefix: prefix))
        }
    }

    package var text: String {
        var lines: [String] = []
        lines.append(
            "inventory: \(inventory)"
                + (readAsTopology
                    ? " (platform topology: only connector_inventory is read; ignored: \(ignoredSections.joined(separator: ", ")))" : ""))
        lines.append("env files: " + (envFiles.isEmpty ? "none" : envFiles.joined(separator: ", ")) + " (process environment wins over files)")
        lines.append(
            "literal secrets: "
                + (requireReferenceForSensitive ? "refused (FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true)" : "allowed with a warning"))
        if let gateway {
            lines.append("")
            lines.append("gateway")
            lines.append(contentsOf: Self.table(gateway.settings))
            for principal in gateway.principals {
                let permissions = principal.permissions.isEmpty ? "" : ", permissions: \(principal.permissions.joined(separator: ", "))"
                var proof: [String] = []
                if let token = principal.token { proof.append("token \(token) (\(principal.tokenSource ?? "?"))") }
                if let certificate = principal.certificate { proof.append("certificate \(certificate)") }
                if let pomerium = principal.pomerium { proof.append("pomerium \(pomerium)") }
                let namespaces = principal.temporalNamespaces.map { ", temporal_namespaces: \($0.joined(separator: ", "))" } ?? ""
                lines.append(
                    "  principal \(principal.name): \(proof.joined(separator: "; ")); connectors: \(principal.connectors.joined(separator: ", "))\(permissions)\(namespaces)"
                )
            }
        }
        for connector in connectors {
            lines.append("")
            lines.append("connector \(connector.name)  [kind \(connector.kind): \(connector.kindSummary)]\(connector.enabled ? "" : "  (disabled)")")
            lines.append("  defined at      \(connector.location)")
            lines.append(
                "  connector_mode  \(connector.connectorMode)  (\(connector.connectorModeReason); supported: \(connector.supportedModes.joined(separator: ", ")))"
            )
            lines.append("  mode routing    \(connector.connectorModeRouting)")
            lines.append("  machine route   \(connector.machineRoute)")
            if let listener = connector.listener { lines.append("  listener        \(listener)") }
            if let name = connector.tlsServerName {
                lines.append("  tls name        \(name)  (\(connector.tlsServerNameReason ?? ""))")
            }
            if !connector.websocketPaths.isEmpty {
                lines.append("  websocket paths \(connector.websocketPaths.joined(separator: ", "))  (\(connector.websocketPathsSource))")
            }
            lines.append("  runtime asset   id=\(connector.runtimeAsset["id"] ?? "-") role=\(connector.runtimeAsset["role"] ?? "-")")
            lines.append("  env prefix      \(connector.envPrefix)")
            lines.append(contentsOf: Self.table(connector.settings))
        }
        if !warnings.isEmpty {
            lines.append("")
            lines.append("warnings:")
            for warning in warnings { lines.append("  - \(warning.message)") }
        }
        return lines.joined(separator: "\n")
    }

    static func table(_ settings: [Setting]) -> [String] {
        let keyWidth = settings.map(\.key.count).max() ?? 0
        let valueWidth = min(settings.map(\.value.count).max() ?? 0, 48)
        return settings.map { setting in
            let key = setting.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
            let value = setting.value.count >= valueWidth ? setting.value : setting.value.padding(toLength: valueWidth, withPad: " ", startingAt: 0)
            return "    \(key)  \(value)  \(setting.source)"
        }
    }
}
