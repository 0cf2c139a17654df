import GatewayCore

/// CLIProxyAPI: OpenAI/Claude/Gemini-compatible credential gateway (port 8317 by convention).
/// The only kind allowed `connector_mode: runtime_gateway`.
public struct CLIProxyKind: ConnectorKind {
    public init() {}
    public let name = "cliproxy"
    public let summary = "CLIProxyAPI model gateway (runtime_gateway, Bearer key)"
    public let supportedModes: [ConnectorMode] = [.runtimeGateway, .hybrid, .uiOnly]
    public let defaultMode: ConnectorMode = .runtimeGateway
    public let isRuntimeGateway = true
    public let credentials = [
        CredentialSpec(key: "api_key", header: "Authorization", scheme: "Bearer"),
        CredentialSpec(key: "management_key", header: "Authorization", scheme: "Bearer"),
    ]
    public let options = [
        SettingSpec("stream_idle_timeout", .duration(minimum: 1), default: .duration(seconds: 300),
                    summary: "longest silence allowed inside a streamed (SSE) response"),
    ]

    /// GET /healthz is unauthenticated.
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: "/healthz", healthy: [200, 204])
    }
}
