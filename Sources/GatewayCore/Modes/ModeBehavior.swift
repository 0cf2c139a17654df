/// What one `connector_mode` does to routing, registered by mode in a `ModeRegistry` and
/// composed with the connector's kind (credential, probe, quirks): the machine route it sets,
/// the routes it builds when the kind keeps the default ones, whether the kind may run in it at
/// all, and the warning for a combination that is legal but changes nothing.
public protocol ModeBehavior: Sendable {
    var mode: ConnectorMode { get }
    /// One line for `explain` and docs/connectors.md.
    var summary: String { get }
    /// Sets `connector.machineRoute` (the executor URL, the SCIM switch, nothing); problems
    /// with the connector's settings go to `diagnostics`.
    func resolveRoute(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics)
    /// The routes of a connector whose kind keeps the default routes.
    func routes(for connector: ConnectorConfig) -> [RouteSpec]
    /// Nil when `kind` may run in this mode, else why not (an error).
    func refusal(for kind: any ConnectorKind) -> String?
    /// What happens when `connector`'s kind has nothing to do with this mode (a warning), nil
    /// when the combination means something.
    func note(for connector: ConnectorConfig) -> String?
}

extension ModeBehavior {
    public func refusal(for kind: any ConnectorKind) -> String? { nil }
    public func note(for connector: ConnectorConfig) -> String? { nil }

    /// The executor route with the kind's first credential and the configured Host header.
    public func routes(for connector: ConnectorConfig) -> [RouteSpec] {
        guard let executor = connector.executorURL else { return [] }
        return [
            RouteSpec(
                family: .executor, upstream: executor, credentialKey: connector.kind.credentials.first?.key,
                hostHeader: connector.hostHeader)
        ]
    }

    /// The route of the modes that carry machine traffic: a TCP kind's address, else the
    /// executor URL, else (for a SCIM provider) its SCIM base. Never the public or internal URL.
    public func resolveExecutorRoute(_ connector: inout ConnectorConfig) {
        if let key = connector.kind.traffic.upstreamKey {
            if let address = connector.settings[key], let value = address.value.addressValue {
                connector.machineRoute = .tcp(Sourced(value, from: address.source))
            } else {
                connector.machineRoute = .none("no \(key) is configured")
            }
            return
        }
        if let executor = connector.url("executor_url") {
            connector.machineRoute = .http(executor)
        } else if connector.kind.scim.isProvider, let base = connector.url("scim_base_url") {
            connector.machineRoute = .http(
                Sourced(
                    base.value,
                    from: .derived(
                        "scim_base_url (kind '\(connector.kind.name)' is a SCIM provider; its SCIM route only, no executor_url)",
                        from: base.source)))
        } else {
            connector.machineRoute = .none(
                "no executor_url is configured (public_url and internal_url are never used for machine traffic)")
        }
    }
}
