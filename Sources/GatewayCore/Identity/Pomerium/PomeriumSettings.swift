/// `gateway.identity.pomerium: {issuer, jwks_url, audience}`: how `X-Pomerium-Jwt-Assertion`
/// is verified, and how often (and for how long) the JWKS is trusted.
public struct PomeriumSettings: Sendable, Equatable {
    public var issuer: String
    public var jwksURL: EndpointURL
    public var audience: String
    /// How often the JWKS is fetched.
    public var refreshInterval: Double
    /// How old the last successful fetch may be before its keys are no longer trusted.
    public var maxStale: Double
    /// Clock skew allowed on `exp`, `nbf` and `iat` (seconds).
    public var leeway: Double

    public init(
        issuer: String, jwksURL: EndpointURL, audience: String, refreshInterval: Double = 300, maxStale: Double = 3600,
        leeway: Double = 30
    ) {
        self.issuer = issuer
        self.jwksURL = jwksURL
        self.audience = audience
        self.refreshInterval = refreshInterval
        self.maxStale = maxStale
        self.leeway = leeway
    }

    /// Nil without `gateway.identity.pomerium` (or when a part is missing: `validate` says so).
    public init?(_ gateway: GatewaySettings) {
        let settings = gateway.settings
        guard let issuer = settings["identity.pomerium.issuer"]?.value.stringValue,
            let url = settings["identity.pomerium.jwks_url"]?.value.urlValue,
            let audience = settings["identity.pomerium.audience"]?.value.stringValue
        else { return nil }
        self.issuer = issuer
        self.jwksURL = url
        self.audience = audience
        refreshInterval = settings["identity.pomerium.refresh_interval"]?.value.durationValue ?? 300
        maxStale = settings["identity.pomerium.max_stale"]?.value.durationValue ?? 3600
        leeway = settings["identity.pomerium.leeway"]?.value.durationValue ?? 30
    }

    public static let header = "x-pomerium-jwt-assertion"
}
