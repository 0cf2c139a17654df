import GatewayCore

/// Nexus: a SCIM 2.0 provider (RFC 7643/7644) at `scim_base_url`, Bearer auth.
/// Derives the service URL (`FRACTALOPS_<NAME>_URL`) from the SCIM base (rule 9).
public struct NexusKind: ConnectorKind {
    public init() {}
    public let name = "nexus"
    public let summary = "Nexus SCIM 2.0 provisioning (Bearer token)"
    public let scim = SCIMCapability(isProvider: true, credentialKey: "token")
    public let defaultMode: ConnectorMode = .scim
    public let credentials = [CredentialSpec(key: "token", header: "Authorization", scheme: "Bearer")]
    public let options = [
        SettingSpec(
            "url", .url, env: .suffix("URL"),
            summary: "Nexus service URL; derived from scim_base_url (its /scim/v2 suffix removed)"),
        SettingSpec(
            "url_rewrite", .choice(["rewrite", "forwarded_headers"]), env: .suffix("URL_REWRITE"),
            default: .string("rewrite"),
            summary: "rewrite upstream URLs in Location/meta.location/$ref, or send X-Forwarded-* to an upstream that builds its own"),
        SettingSpec("max_payload_bytes", .integer(1...(1 << 30)), summary: "bulk body limit (defaults to the upstream's maxPayloadSize)"),
    ]

    /// `https://nexus.example/scim/v2` -> `https://nexus.example`.
    public static func serviceURL(fromSCIMBase base: EndpointURL) -> EndpointURL {
        var url = base
        for suffix in ["/scim/v2", "/scim"] where url.path.lowercased().hasSuffix(suffix) {
            url.path = String(url.path.dropLast(suffix.count))
            break
        }
        return url
    }

    public func finalize(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        guard let base = connector.url("scim_base_url") else {
            diagnostics.append(
                ConfigIssue(
                    .scimWithoutBase, at: connector.location, connector: connector.name, key: "scim_base_url",
                    problem:
                        "A Nexus connector needs scim_base_url: \(connector.envPrefix)URL and \(connector.envPrefix)SCIM_BASE_URL are both derived from it.",
                    fix: "Set scim_base_url (or \(connector.envPrefix)SCIM_BASE_URL in the generated env)."))
            return
        }
        let derived = Self.serviceURL(fromSCIMBase: base.value)
        if let given = connector.url("url"), given.value != derived {
            diagnostics.append(
                ConfigIssue(
                    .nexusDerivedConflict, at: given.source.description, connector: connector.name, key: "url",
                    problem: "\(connector.envPrefix)URL is derived from scim_base_url as \(derived), but \(given.value) was given.",
                    fix: "Remove the explicit url (it is derived), or make scim_base_url \(given.value)/scim/v2."))
            return
        }
        connector.setDerived("url", .url(derived), what: "scim_base_url without its /scim/v2 suffix", from: base.source)
    }

    /// GET <SCIM base>/ServiceProviderConfig, through the SCIM route (whatever the executor).
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: "/ServiceProviderConfig", healthy: [200])
    }

    public func probeFamily(for connector: ConnectorConfig) -> RouteSpec.Family { .scim }

    /// In every mode but ui_only, the SCIM route to the SCIM base with the Bearer token (also
    /// without an executor_url), and the executor route when an executor_url is set (under
    /// scim it is the SCIM base). Callers never see the upstream's base: its URLs are rewritten
    /// to the gateway's (`url_rewrite: rewrite`), or the upstream is told the gateway's base
    /// through `X-Forwarded-*` (`url_rewrite: forwarded_headers`).
    public func routes(for connector: ConnectorConfig) -> [RouteSpec] {
        guard connector.connectorMode != .uiOnly, let base = connector.scimBaseURL ?? connector.executorURL else { return [] }
        let gatewayPath = "/scim/\(connector.name)"
        let forwarded = connector.string("url_rewrite") == "forwarded_headers"
        var scim = RouteSpec(
            family: .scim, upstream: base, credentialKey: "token", hostHeader: connector.hostHeader,
            maxBodyBytes: connector.integer("max_payload_bytes"))
        if forwarded {
            scim.forwardedPrefix = gatewayPath
        } else {
            scim.rewrites = [
                RouteSpec.URLRewrite(
                    upstreamPrefixes: connector.upstreamURLPrefixes(for: base, hostHeader: connector.hostHeader),
                    gatewayPath: gatewayPath, inRequests: true, upstreamPath: base.path,
                    keys: ["$ref", "location"])
            ]
        }
        var routes = [scim]
        if let executor = connector.url("executor_url")?.value {
            routes.append(RouteSpec(family: .executor, upstream: executor, credentialKey: "token", hostHeader: connector.hostHeader))
        }
        return routes
    }
}

extension ConfigIssue.Code {
    /// Nexus (rule 9): `url` given next to the env's SCIM base and both disagree.
    public static let nexusDerivedConflict = ConfigIssue.Code("nexus.derived_conflict")
}
