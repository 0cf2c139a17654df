extension ConnectorConfig {
    /// The default routes, the connector_mode's: the executor family to the executor URL with
    /// the kind's first credential and the configured Host header; under `scim` the SCIM family
    /// to the same base, under `scim_projected` the kind's projected SCIM, under `ui_only` none.
    public var defaultRoutes: [RouteSpec] {
        modeBehavior.routes(for: self)
    }

    /// `scheme://authority` prefixes under which an upstream may write its own URLs: the Host
    /// header it is sent, and the executor's own authority.
    public func upstreamURLPrefixes(for url: EndpointURL, hostHeader: String?) -> [String] {
        var prefixes: [String] = []
        if let hostHeader { prefixes.append("\(url.scheme.rawValue)://\(hostHeader)\(url.path)") }
        prefixes.append(url.description)
        var unique: [String] = []
        for prefix in prefixes where !unique.contains(prefix) { unique.append(prefix) }
        return unique
    }
}
