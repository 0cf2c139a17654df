/// A loaded, validated configuration: immutable, `Sendable`, passed down to everything that
/// needs it. A gateway never starts from anything less.
public struct GatewayConfiguration: Sendable {
    public let inventoryPath: String
    /// Relative paths in the inventory (`ca_file`, `file://` references) are read from here:
    /// the folder of the inventory file.
    public let baseDirectory: String
    /// True when the file was read as a platform topology (only `connector_inventory` used).
    public let isTopologyFile: Bool
    /// Top-level sections of a topology file that the gateway does not read.
    public let ignoredSections: [String]
    public let gateway: GatewaySettings
    public let connectors: [ConnectorConfig]
    public let warnings: [ConfigIssue]
    package let environment: EnvironmentLayers
    public let requireReferenceForSensitive: Bool

    public func connector(named name: String) -> ConnectorConfig? {
        connectors.first { $0.name == name }
    }

    public var connectorNames: [String] { connectors.map(\.name) }

    /// A path from the inventory, made absolute against `baseDirectory`.
    public func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : baseDirectory + "/" + path
    }
}
