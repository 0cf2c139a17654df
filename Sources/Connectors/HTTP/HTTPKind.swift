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
        SettingSpec("credential_header", .string, env: .suffix("CREDENTIAL_HEADER"), default: .string("Authorization"),
                    summary: "header that carries auth.credential"),
        SettingSpec("credential_scheme", .string, env: .suffix("CREDENTIAL_SCHEME"), default: .string("Bearer"),
                    summary: "scheme written before the credential; 'none' sends the bare value"),
        SettingSpec("probe_path", .httpPath, env: .suffix("PROBE_PATH"), default: .string("/"),
                    summary: "health probe path"),
    ]

    /// `GET <probe_path>` (default `/`).
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: connector.string("probe_path") ?? "/", healthy: [200, 204])
    }
}
