import GatewayCore

/// Daytona: API under `/api`, Bearer API key, `GET /api/health` public; in-sandbox calls go to
/// the toolbox proxy the API returns, preview links are routed by wildcard Host names.
public struct DaytonaKind: ConnectorKind {
    public init() {}
    public let name = "daytona"
    public let summary = "Daytona sandbox runtime API (Bearer API key)"
    public let supportedModes: [ConnectorMode] = [.project, .jit, .poll, .hybrid]
    public let defaultMode: ConnectorMode = .project
    public let credentials = [CredentialSpec(key: "api_key", header: "Authorization", scheme: "Bearer")]
    public let options = [
        SettingSpec("toolbox_proxy_url", .url, env: .suffix("TOOLBOX_PROXY_URL"),
                    summary: "where the SDK's in-sandbox (toolbox) calls are sent"),
        SettingSpec("preview_host_suffix", .host, env: .suffix("PREVIEW_HOST_SUFFIX"),
                    summary: "wildcard domain of preview links; never given the fixed Host override"),
    ]

    /// GET /api/health is public.
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: "/api/health", healthy: [200, 204])
    }
}
