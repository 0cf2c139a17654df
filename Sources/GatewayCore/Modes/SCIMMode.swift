/// `scim`: the seed's switch. With a `scim_base_url` that base becomes the executor URL
/// (recorded as derived) and both `/executor/<name>` and `/scim/<name>` go to it; without one
/// nothing is switched and both go to the executor URL, with a warning.
struct SCIMMode: ModeBehavior {
    init() {}
    let mode = ConnectorMode.scim
    let summary = "scim_base_url becomes the executor URL; /executor/<name> and /scim/<name> go to it"

    func resolveRoute(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        guard connector.kind.traffic == .http else { return resolveExecutorRoute(&connector) }
        let executor = connector.url("executor_url")
        guard let scimBase = connector.url("scim_base_url") else {
            resolveExecutorRoute(&connector)
            // A SCIM provider kind needs its base and says so itself (an error).
            guard !connector.kind.scim.isProvider else { return }
            let outcome =
                executor.map { "machine traffic and /scim/\(connector.name) go to the executor URL \($0.value)" }
                ?? "and with no executor_url either the connector has no machine route"
            diagnostics.append(
                ConfigIssue(
                    .scimWithoutBase, severity: .warning, at: connector.modeLocation, connector: connector.name,
                    key: "scim_base_url",
                    problem: "connector_mode scim has no scim_base_url, so nothing is switched: \(outcome).",
                    fix:
                        "Set scim_base_url (or \(connector.envPrefix)SCIM_BASE_URL in the generated env) to switch the executor URL to the SCIM base."
                ))
            return
        }
        if let executor, executor.value != scimBase.value, !executor.source.isDefaultValue {
            diagnostics.append(
                ConfigIssue(
                    .executorIgnored, severity: .warning, at: executor.source.description, connector: connector.name,
                    key: "executor_url",
                    problem: "executor_url \(executor.value) is replaced by scim_base_url \(scimBase.value) under connector_mode scim.",
                    fix: "Remove executor_url, or use connector_mode scim_projected to keep it."))
        }
        connector.setDerived("executor_url", .url(scimBase.value), what: "scim_base_url (connector_mode=scim)", from: scimBase.source)
        connector.machineRoute = .http(connector.url("executor_url")!)
    }

    /// The executor route and the SCIM route, both to the (switched) executor URL, with the
    /// kind's SCIM credential.
    func routes(for connector: ConnectorConfig) -> [RouteSpec] {
        guard let executor = connector.executorURL else { return [] }
        let credential = connector.kind.scim.credentialKey ?? connector.kind.credentials.first?.key
        return [
            RouteSpec(family: .executor, upstream: executor, credentialKey: credential, hostHeader: connector.hostHeader),
            RouteSpec(family: .scim, upstream: executor, credentialKey: credential, hostHeader: connector.hostHeader),
        ]
    }

    func note(for connector: ConnectorConfig) -> String? {
        let kind = connector.kind
        if let key = kind.traffic.upstreamKey {
            return
                "kind '\(kind.name)' is a TCP pass-through: connector_mode scim adds no SCIM route and switches nothing; its traffic still goes to \(key)."
        }
        guard !kind.scim.servesSCIM else { return nil }
        let target = connector.url("scim_base_url").map { "to scim_base_url \($0.value)" } ?? "to the executor URL (no scim_base_url is set)"
        return "kind '\(kind.name)' has no SCIM API: under connector_mode scim its machine traffic still goes, as the kind routes it, \(target)."
    }
}
