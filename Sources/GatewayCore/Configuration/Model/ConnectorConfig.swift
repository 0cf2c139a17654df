/// One connector, fully resolved: every effective setting with its source, the effective
/// `connector_mode` with the reason for it, and its machine route. Immutable once loaded.
public struct ConnectorConfig: Sendable {
    /// Why the effective connector_mode is what it is.
    public enum ModeReason: Sendable, Hashable, CustomStringConvertible {
        case override(ValueSource)
        case synonym(ValueSource)
        case defaultOfKind(String)

        public var description: String {
            switch self {
            case let .override(source): return "override: connector_mode at \(source)"
            case let .synonym(source): return "synonym: integration_mode at \(source)"
            case let .defaultOfKind(kind): return "default of kind '\(kind)'"
            }
        }
    }

    /// Where machine traffic for this connector goes. Never the public or internal URL.
    public enum MachineRoute: Sendable, Hashable, CustomStringConvertible {
        case http(Sourced<EndpointURL>)
        case tcp(Sourced<HostPort>)
        /// No machine route, and why (shown to callers and operators).
        case none(String)

        public var description: String {
            switch self {
            case let .http(url): return "\(url.value) (\(url.source))"
            case let .tcp(address): return "tcp \(address.value) (\(address.source))"
            case let .none(reason): return "none: \(reason)"
            }
        }
    }

    public let name: String
    public let kind: any ConnectorKind
    /// `connectors.yaml:12`: where the entry starts.
    public let location: String
    /// `FRACTALOPS_LANGBOARD_`
    public let envPrefix: String
    public internal(set) var settings: ResolvedSettings
    public internal(set) var connectorMode: ConnectorMode
    public internal(set) var modeReason: ModeReason
    /// The implementation of `connectorMode` (what it does to routing).
    public internal(set) var modeBehavior: any ModeBehavior
    public internal(set) var machineRoute: MachineRoute
    /// `websocket_paths` from the inventory; nil keeps the kind's own.
    public internal(set) var websocketPaths: [String]?

    /// Adds or replaces a derived setting (used by kinds, e.g. Nexus's service URL).
    public mutating func setDerived(_ key: String, _ value: SettingValue, what: String, from: ValueSource?) {
        settings.set(key, Sourced(value, from: .derived(what, from: from)))
    }

    public var environmentPrefix: String { envPrefix }

    /// Where the effective connector_mode was chosen: its file:line or variable, else the entry.
    public var modeLocation: String {
        switch modeReason {
        case let .override(source), let .synonym(source): return source.description
        case .defaultOfKind: return location
        }
    }
}

extension ConnectorConfig {
    public func url(_ key: String) -> Sourced<EndpointURL>? {
        settings[key].flatMap { setting in setting.value.urlValue.map { Sourced($0, from: setting.source) } }
    }

    public func string(_ key: String) -> String? { settings[key]?.value.stringValue }
    public func bool(_ key: String) -> Bool? { settings[key]?.value.boolValue }
    public func duration(_ key: String) -> Double? { settings[key]?.value.durationValue }
    public func integer(_ key: String) -> Int? { settings[key]?.value.integerValue }

    public var isEnabled: Bool { self[ConnectorKey.enabled] }

    /// Why the connector carries no traffic, naming where `enabled: false` came from.
    public var disabledReason: String {
        let source = settings["enabled"].map { " (\($0.source))" } ?? ""
        return "the connector is disabled (enabled: false\(source))"
    }

    /// The health probe: the kind's, with `health.path` overriding an HTTP probe's path.
    public var probe: ProbeSpec {
        let probe = kind.probe(for: self)
        if case let .http(_, healthy) = probe, let path = string("health.path") { return .http(path: path, healthy: healthy) }
        return probe
    }
    public var executorURL: EndpointURL? {
        if case let .http(url) = machineRoute { return url.value }
        return nil
    }
    public var publicURL: EndpointURL? { url("public_url")?.value }
    public var internalURL: EndpointURL? { url("internal_url")?.value }
    public var scimBaseURL: EndpointURL? { url("scim_base_url")?.value }
    public var hostHeader: String? { string("host_header") }
    public var verifyTLS: Bool { self[ConnectorKey.verifyTLS] }
    public var caFile: String? { string("ca_file") }
    /// True: an upstream that asks for a client certificate the connector does not have gets none
    /// and the handshake goes on; false (the default): the gateway ends the handshake.
    public var clientCertOptional: Bool { self[ConnectorKey.clientCertOptional] }
    public var tlsServerName: String? { string("tls_server_name") }
    public var runtimeAssetID: String? { string("runtime_asset.id") }
    public var runtimeAssetRole: String? { string("runtime_asset.role") }

    /// The secret source for each credential of the kind that is configured.
    public var credentials: [(spec: CredentialSpec, source: Sourced<SecretSource>)] {
        kind.credentials.compactMap { spec in
            guard let setting = settings["auth.\(spec.key)"], let secret = setting.value.secretValue else { return nil }
            return (spec, Sourced(secret, from: setting.source))
        }
    }

    /// Every secret this connector uses, with the key that holds it.
    public var secretSources: [(key: String, source: Sourced<SecretSource>)] {
        settings.ordered.compactMap { entry in
            entry.value.value.secretValue.map { (entry.key, Sourced($0, from: entry.value.source)) }
        }
    }
}
