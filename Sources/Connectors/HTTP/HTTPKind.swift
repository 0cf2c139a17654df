import GatewayCore

/// Any other integration endpoint: executor URL, Host header, TLS, a configurable credential
/// header and probe path.
public struct HTTPKind: ConnectorKind {
    public init() {}
    public let name = "http"
    public let summary = "generic HTTP integration endpoint"
    public let scim = SCIMCapability(servesSCIM: true)
    public let defaultMode: ConnectorMode = .project
    public let credentials = [CredentialSpec(key: "credential", header: "Authorization", scheme: "Bearer")]
    public let options = [
        SettingSpec(
            "credential_header", .string, env: .suffix("CREDENTIAL_HEADER"), default: .string("Authorization"),
            summary: "header that carries auth.credential"),
        SettingSpec(
            "credential_scheme", .string, env: .suffix("CREDENTIAL_SCHEME"), default: .string("Bearer"),
            summary: "scheme written before the credential; 'none' sends the bare value"),
        SettingSpec(
            "probe_path", .httpPath, env: .suffix("PROBE_PATH"), default: .string("/"),
            summary: "health probe path"),
    ]

    /// The connector's routes with its credential written as `credential_header` and
    /// `credential_scheme` say (`none`: the bare value).
    public func routes(for connector: ConnectorConfig) -> [RouteSpec] {
        let header = connector.string("credential_header")
        let scheme: RouteSpec.CredentialScheme =
            connector.string("credential_scheme").map { $0 == "none" ? .bare : .scheme($0) }
            ?? .declared
        return connector.defaultRoutes.map { route in
            var route = route
            route.credentialHeader = header
            route.credentialScheme = scheme
            return route
        }
    }

    /// `GET <probe_path>` (default `/`).
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: connector.string("probe_path") ?? "/", healthy: [200, 204])
    }
}
