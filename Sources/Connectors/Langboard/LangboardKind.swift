import GatewayCore

/// Langboard (FastAPI): machine auth by `X-Api-Key`, checked against a per-key IP allow-list
/// read from `X-Real-IP`/`X-Forwarded-For`; `GET /health` unauthenticated.
public struct LangboardKind: ConnectorKind {
    public init() {}
    public let name = "langboard"
    public let summary = "Langboard project board API (X-Api-Key, IP allow-listed)"
    public let scim = SCIMCapability(servesSCIM: true, projectsSCIM: true, credentialKey: "scim_token")
    public let defaultMode: ConnectorMode = .project
    public let credentials = [
        CredentialSpec(key: "api_key", header: "X-Api-Key"),
        CredentialSpec(key: "scim_token", header: "Authorization", scheme: "Bearer"),
    ]
    public let options = [
        SettingSpec(
            "forwarded_for", .choice(["client", "egress"]), env: .suffix("FORWARDED_FOR"), default: .string("client"),
            summary: "address sent in X-Real-IP/X-Forwarded-For: the true caller, or the gateway's egress address"),
        SettingSpec(
            "egress_address", .string, env: .suffix("EGRESS_ADDRESS"),
            summary: "the gateway's egress IP, sent when forwarded_for is egress"),
        SettingSpec(
            "scim_path", .httpPath, default: .string("/scim/v2"),
            summary: "Langboard's own SCIM provider path (scim_projected)"),
    ]

    public func finalize(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        if connector.string("forwarded_for") == "egress", connector.string("egress_address") == nil {
            diagnostics.append(
                ConfigIssue(
                    .requiredKey, at: connector.settings["forwarded_for"]?.source.description, connector: connector.name,
                    key: "egress_address",
                    problem: "forwarded_for is egress but no egress_address says which address to send.",
                    fix: "Set egress_address to the IP the Langboard key is bound to, or use forwarded_for: client."))
        }
    }

    /// Every route sends the caller's address, or with `forwarded_for: egress` the gateway's
    /// egress address (the one the API key is bound to).
    public func routes(for connector: ConnectorConfig) -> [RouteSpec] {
        let forwardedFor: RouteSpec.ForwardedFor =
            connector.string("forwarded_for") == "egress"
            ? .fixed(connector.string("egress_address") ?? "") : .client
        return connector.defaultRoutes.map { route in
            var route = route
            route.forwardedFor = forwardedFor
            return route
        }
    }

    /// GET /health is unauthenticated; 204 (or 200) is healthy.
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: "/health", healthy: [200, 204])
    }

    /// Langboard's own SCIM provider (`scim_path` on the executor, static Bearer `scim_token`),
    /// projected on the SCIM route under scim_projected, with its URLs rewritten to the gateway's.
    public func projectedSCIMRoute(for connector: ConnectorConfig) -> RouteSpec? {
        guard var scim = connector.executorURL else { return nil }
        scim.path += connector.string("scim_path") ?? "/scim/v2"
        return RouteSpec(
            family: .scim, upstream: scim, credentialKey: "scim_token", hostHeader: connector.hostHeader,
            rewrites: [
                RouteSpec.URLRewrite(
                    upstreamPrefixes: connector.upstreamURLPrefixes(for: scim, hostHeader: connector.hostHeader),
                    gatewayPath: "/scim/\(connector.name)", inRequests: true, upstreamPath: scim.path,
                    keys: ["$ref", "location"])
            ])
    }
}
