/// The plain listener when TLS is on (`gateway.plain_http: probes`): only `/livez`, `/readyz`
/// and `/metrics` are answered (none takes a token; `gateway reload` and scrapers read
/// `/metrics`), so no token crosses the network in clear.
enum ProbesOnly {
    static let paths: Set<Substring> = ["/livez", "/readyz", "/metrics"]

    /// Nil for a probe path; else the refusal, in the route's error format.
    static func refusal(_ uri: String) -> RouteDecision.Refusal? {
        let path = uri[..<(uri.firstIndex(of: "?") ?? uri.endIndex)]
        if paths.contains(path) { return nil }
        let error = ProxyError(
            .forbidden, status: 403, title: "TLS required",
            detail:
                "This plain HTTP listener serves only /livez, /readyz and /metrics; use the HTTPS listener (gateway.listen_tls). Tokens are not accepted in clear text."
        )
        return .init(error: error, format: path.hasPrefix("/scim/") ? .scim : .problem, connector: "", principal: "-", close: false)
    }
}
