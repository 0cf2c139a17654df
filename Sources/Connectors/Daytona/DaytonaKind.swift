import GatewayCore

/// Daytona: API under `/api`, Bearer API key, `GET /api/health` public; in-sandbox calls go to
/// the toolbox proxy the API returns, preview links are routed by wildcard Host names.
public struct DaytonaKind: ConnectorKind {
    public init() {}
    public let name = "daytona"
    public let summary = "Daytona sandbox runtime API (Bearer API key)"
    public let defaultMode: ConnectorMode = .project
    public let credentials = [CredentialSpec(key: "api_key", header: "Authorization", scheme: "Bearer")]
    public let options = [
        SettingSpec(
            "toolbox_proxy_url", .url, env: .suffix("TOOLBOX_PROXY_URL"),
            summary: "where the SDK's in-sandbox (toolbox) calls are sent"),
        SettingSpec(
            "preview_host_suffix", .host, env: .suffix("PREVIEW_HOST_SUFFIX"),
            summary: "wildcard domain of preview links; never given the fixed Host override"),
    ]

    /// Caller paths of the toolbox's WebSocket endpoints (daytonaio/daytona,
    /// apps/daemon/pkg/toolbox/server.go), any sandbox.
    public static let toolboxWebSocketPaths = [
        "/toolbox/*/process/pty", "/toolbox/*/process/interpreter/execute", "/toolbox/*/process/session",
    ]

    /// GET /api/health is public.
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: "/api/health", healthy: [200, 204])
    }

    /// The API route, with the toolbox proxy URL the API returns rewritten to the gateway's
    /// toolbox route; and that toolbox route (`/executor/<name>/toolbox/...`) to the configured
    /// toolbox proxy, with the API key and the toolbox's own Host (never the fixed override,
    /// which would break wildcard-Host routing).
    public func routes(for connector: ConnectorConfig) -> [RouteSpec] {
        guard let executor = connector.executorURL else { return [] }
        var api = RouteSpec(family: .executor, upstream: executor, credentialKey: "api_key", hostHeader: connector.hostHeader)
        guard let toolbox = connector.url("toolbox_proxy_url")?.value else { return [api] }
        let gatewayPath = "/executor/\(connector.name)/toolbox"
        api.rewrites = [
            RouteSpec.URLRewrite(
                upstreamPrefixes: connector.upstreamURLPrefixes(for: toolbox, hostHeader: nil),
                gatewayPath: gatewayPath, inRequests: false, keys: nil)
        ]
        var toolboxRoute = RouteSpec(
            family: .executor, pathPrefix: "/toolbox", stripPrefix: true, upstream: toolbox, credentialKey: "api_key",
            hostHeader: nil)
        // The toolbox's WebSockets: PTY sessions, the code interpreter, followed session logs.
        toolboxRoute.websocketPaths = Self.toolboxWebSocketPaths
        return [toolboxRoute, api]
    }
}
