extension GatewayConfiguration {
    /// This configuration with only `connector` and no principals: what one connector's check
    /// needs resolved, and nothing another connector could break.
    func restricted(to connector: ConnectorConfig) -> GatewayConfiguration {
        GatewayConfiguration(
            inventoryPath: inventoryPath, baseDirectory: baseDirectory, isTopologyFile: isTopologyFile,
            ignoredSections: ignoredSections, gateway: GatewaySettings(settings: gateway.settings, principals: []),
            connectors: [connector], warnings: [], environment: environment,
            requireReferenceForSensitive: requireReferenceForSensitive)
    }
}
