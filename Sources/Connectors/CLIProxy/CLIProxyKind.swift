import GatewayCore

/// CLIProxyAPI: OpenAI/Claude/Gemini-compatible credential gateway (port 8317 by convention).
/// The only kind allowed `connector_mode: runtime_gateway`.
public struct CLIProxyKind: ConnectorKind {
    public init() {}
    public let name = "cliproxy"
    public let summary = "CLIProxyAPI model gateway (runtime_gateway, Bearer key)"
    public let defaultMode: ConnectorMode = .runtimeGateway
    /// A credential/runtime gateway: the one kind that also accepts `runtime_gateway`.
    public let supportedModes = ConnectorMode.allCases
    public let credentials = [
        CredentialSpec(key: "api_key", header: "Authorization", scheme: "Bearer"),
        CredentialSpec(key: "management_key", header: "Authorization", scheme: "Bearer"),
    ]
    public let options = [Self.streamIdleTimeout.spec]
    static let streamIdleTimeout: Setting<Double> = .duration(
        "stream_idle_timeout", minimum: 1, default: 300, summary: "longest silence allowed inside a streamed (SSE) response")

    /// GET /healthz is unauthenticated.
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: "/healthz", healthy: [200, 204])
    }

    /// Every other key carrier a caller might send; removed so only the injected key arrives.
    static let callerKeyHeaders: Set<String> = ["x-api-key", "x-goog-api-key", "api-key"]
    static let callerKeyParameters: Set<String> = ["key", "auth_token"]

    /// Paths that upgrade to WebSocket (router-for-me/CLIProxyAPI, internal/api/server_routes.go):
    /// the Responses API (Codex falls back to SSE on 404), Realtime (no fallback; with the paths
    /// under it, `/v1/realtime/calls/{id}` and `/v1/realtime/translations`) and the relay.
    public static let webSocketPaths = ["/v1/responses", "/backend-api/codex/responses", "/v1/realtime", "/v1/ws"]

    /// The model API with the API key; `/v0/management/...` only for principals with `manage`,
    /// with the management key.
    public func routes(for connector: ConnectorConfig) -> [RouteSpec] {
        guard let executor = connector.executorURL else { return [] }
        let management = RouteSpec(
            family: .executor, pathPrefix: "/v0/management", upstream: executor, credentialKey: "management_key",
            hostHeader: connector.hostHeader, requiredPermission: "manage", strippedHeaders: Self.callerKeyHeaders,
            strippedQueryParameters: Self.callerKeyParameters)
        // Streams (SSE) may pause between chunks far longer than an ordinary exchange.
        let streamIdle = max(connector[Self.streamIdleTimeout], connector[ConnectorKey.idleTimeout])
        var api = RouteSpec(
            family: .executor, upstream: executor, credentialKey: "api_key", hostHeader: connector.hostHeader,
            strippedHeaders: Self.callerKeyHeaders, strippedQueryParameters: Self.callerKeyParameters,
            idleTimeout: streamIdle)
        api.websocketPaths = Self.webSocketPaths
        return [management, api]
    }
}
