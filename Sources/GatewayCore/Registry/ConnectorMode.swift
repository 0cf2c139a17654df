/// The execution mode of a connector (`connector_mode` / `integration_mode`).
///
/// Distinct from the connector's `mode`, which is only a domain classification and never
/// changes routing.
public enum ConnectorMode: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case scim
    case scimProjected = "scim_projected"
    case poll
    case jit
    case uiOnly = "ui_only"
    case project
    case hybrid
    case runtimeGateway = "runtime_gateway"

    public var description: String { rawValue }

    public static var allNames: [String] { allCases.map(\.rawValue) }
}
