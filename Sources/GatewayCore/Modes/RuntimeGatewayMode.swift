/// `runtime_gateway`: a credential/runtime gateway (CLIProxy) in front of model providers: the
/// executor route, with the kind's own credential-gateway routes (key carriers stripped,
/// management behind its permission). Only for kinds that are runtime gateways.
struct RuntimeGatewayMode: ModeBehavior {
    init() {}
    let mode = ConnectorMode.runtimeGateway
    let summary = "a credential/runtime gateway: the executor route with the kind's gateway routes"

    func resolveRoute(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        resolveExecutorRoute(&connector)
    }

    func refusal(for kind: any ConnectorKind) -> String? {
        kind.supportedModes.contains(.runtimeGateway)
            ? nil
            : "connector_mode runtime_gateway is only for credential/runtime gateways such as CLIProxy, and kind '\(kind.name)' is not one."
    }
}
