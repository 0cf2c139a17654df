extension ConnectorConfig {
    /// `runtime_asset: {id, role}`, when an id is set.
    public var runtimeAsset: RuntimeAsset? {
        runtimeAssetID.map { RuntimeAsset(id: $0, role: runtimeAssetRole) }
    }
}
