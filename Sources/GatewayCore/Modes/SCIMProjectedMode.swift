/// `scim_projected`: the executor route, and the kind's own SCIM projected on `/scim/<name>`
/// (Langboard's provider under its executor, Nexus's SCIM base). A kind that projects no SCIM
/// routes as `project`, with a warning.
struct SCIMProjectedMode: ModeBehavior {
    init() {}
    let mode = ConnectorMode.scimProjected
    let summary = "the executor route, and the kind's own SCIM on /scim/<name>"

    func resolveRoute(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        resolveExecutorRoute(&connector)
    }

    func routes(for connector: ConnectorConfig) -> [RouteSpec] {
        guard let executor = connector.executorURL else { return [] }
        var routes = [
            RouteSpec(
                family: .executor, upstream: executor, credentialKey: connector.kind.credentials.first?.key,
                hostHeader: connector.hostHeader)
        ]
        if let scim = connector.kind.projectedSCIMRoute(for: connector) { routes.append(scim) }
        return routes
    }

    func note(for connector: ConnectorConfig) -> String? {
        let kind = connector.kind
        guard !kind.scim.projectsSCIM, !kind.scim.isProvider else { return nil }
        let route =
            kind.traffic.upstreamKey.map { "its traffic still goes to \($0)" } ?? "only /executor/\(connector.name) is routed, as under project"
        return "kind '\(kind.name)' projects no SCIM of its own: connector_mode scim_projected adds no /scim/\(connector.name) route; \(route)."
    }
}
