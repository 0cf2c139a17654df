/// An inbound caller (worker, operator, provisioner, ...): the token it presents and the
/// connectors it may use.
public struct Principal: Sendable {
    public let name: String
    public let location: String
    public let token: Sourced<SecretSource>
    /// Connector names, or `*` for all.
    public let connectors: [String]
    /// Extra permissions, e.g. `manage` for management routes.
    public let permissions: Set<String>

    public func mayUse(connector: String) -> Bool {
        connectors.contains("*") || connectors.contains(connector)
    }

    public static let knownPermissions: Set<String> = ["manage"]
}
