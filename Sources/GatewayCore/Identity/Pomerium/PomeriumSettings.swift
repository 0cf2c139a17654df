/// `gateway.identity.pomerium: {issuer, jwks_url, audience}`: how `X-Pomerium-Jwt-Assertion`
/// is verified, and how often (and for how long) the JWKS is trusted.
package struct PomeriumSettings: Sendable, Equatable {
    package var issuer: String
    package var jwksURL: EndpointURL
    package var audience: String
    /// How often the JWKS is fetched.
    package var refreshInterval: Double
    /// How old the last successful fetch may be before its keys are no longer trusted.
    package var maxStale: Double
    /// Clock skew allowed on `exp`, `nbf` and `iat` (seconds).
    package var leeway: Double

    package init(
        issuer: String, jwksURL: EndpointURL, audience: String,
        refreshInterval: Double = GatewayKey.pomeriumRefreshInterval.defaultValue,
        maxStale: Double = GatewayKey.pomeriumMaxStale.defaultValue,
        leeway: Double = GatewayKey.pomeriumLeeway.defaultValue
    ) {
        self.issuer = issuer
        self.jwksURL = jwksURL
        self.audience = audience
        self.refreshInterval = refreshInterval
        self.maxStale = maxStale
        self.leeway = leeway
    }

    /// Nil without `gateway.identity.pomerium` (or when a part is missing: `validate` says so).
    package init?(_ settings: ResolvedSettings) {
        guard let issuer = settings["identity.pomerium.issuer"]?.value.stringValue,
            let url = settings["identity.pomerium.jwks_url"]?.value.urlValue,
            let audience = settings["identity.pomerium.audience"]?.value.stringValue
        else { return nil }
        self.issuer = issuer
        self.jwksURL = url
        self.audience = audience
        refreshInterval = settings[GatewayKey.pomeriumRefreshInterval]
        maxStale = settings[GatewayKey.pomeriumMaxStale]
        leeway = settings[GatewayKey.pomeriumLeeway]
    }

    package static let header = "x-pomerium-jwt-assertion"
}
