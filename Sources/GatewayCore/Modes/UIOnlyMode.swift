/// `ui_only`: no machine route at all; callers are told so. An executor_url beside it is refused.
struct UIOnlyMode: ModeBehavior {
    init() {}
    let mode = ConnectorMode.uiOnly
    let summary = "no machine route: the connector is used through its UI only"

    func resolveRoute(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        if let executor = connector.url("executor_url") {
            diagnostics.append(
                ConfigIssue(
                    .uiOnlyExecutor, at: executor.source.description, connector: connector.name, key: "executor_url",
                    problem: "connector_mode ui_only carries no machine traffic, yet an executor_url is set.",
                    fix: "Remove executor_url, or choose a connector_mode that has a machine route."))
        }
        connector.machineRoute = .none("connector_mode is ui_only: this connector carries no machine traffic")
    }

    func routes(for connector: ConnectorConfig) -> [RouteSpec] { [] }
}
