/// One way a connector's machine traffic is routed, declared by its kind: which inbound route
/// family and path prefix it serves, which upstream base it goes to, with which credential and
/// Host header, who may use it, and which URLs are rewritten on the way.
public struct RouteSpec: Sendable {
    /// The inbound route family: `/executor/<connector>/...` or `/scim/<connector>/...`.
    public enum Family: Sendable, Hashable { case executor, scim }

    /// URLs of the upstream in responses that callers must not see, and the gateway path that
    /// replaces them (`<gateway base><gatewayPath>`).
    public struct URLRewrite: Sendable, Hashable {
        /// Upstream URL prefixes as the upstream writes them, most specific first.
        public var upstreamPrefixes: [String]
        /// The gateway path that stands for them, e.g. `/scim/nexus`.
        public var gatewayPath: String
        /// Also rewrite the gateway's URLs in request bodies back to the first upstream prefix.
        public var inRequests: Bool
        /// The upstream's base path: an upstream that builds its URLs from `X-Forwarded-Host`
        /// writes `<gateway scheme>://<gateway host><upstreamPath>`, rewritten too.
        public var upstreamPath: String?
        /// Only values of these JSON keys are rewritten (e.g. `$ref`, `location`), so ids,
        /// `externalId` and free text are never touched; nil rewrites any string value that
        /// starts with an upstream prefix.
        public var keys: Set<String>?

        public init(
            upstreamPrefixes: [String], gatewayPath: String, inRequests: Bool, upstreamPath: String? = nil,
            keys: Set<String>?
        ) {
            self.keys = keys
            self.upstreamPath = upstreamPath
            self.upstreamPrefixes = upstreamPrefixes
            self.gatewayPath = gatewayPath
            self.inRequests = inRequests
        }
    }

    public var family: Family
    /// Matched against the caller's path after `/<family>/<connector>`; empty matches everything.
    public var pathPrefix: String
    /// Remove `pathPrefix` before joining the path to `upstream`.
    public var stripPrefix: Bool
    public var upstream: EndpointURL
    /// The `auth.<key>` credential injected, or nil for none.
    public var credentialKey: String?
    /// The Host header sent; nil sends the upstream URL's own authority.
    public var hostHeader: String?
    /// A principal permission this route needs (e.g. `manage`).
    public var requiredPermission: String?
    /// Caller headers (lower case) removed besides the kind's credential headers.
    public var strippedHeaders: Set<String>
    /// Query parameters removed from the caller's query (the rest passes byte for byte).
    public var strippedQueryParameters: Set<String>
    public var rewrites: [URLRewrite]
    /// Send `X-Forwarded-Prefix` (the gateway path of this route) for upstreams that build
    /// their own URLs from `X-Forwarded-*`.
    public var forwardedPrefix: String?
    /// Caller paths (after `/executor/<connector>`, whole segments) where a WebSocket upgrade
    /// is passed through; an inventory's `websocket_paths` replaces them.
    public var websocketPaths: [String] = []
    /// Overrides `limits.idle_timeout` (long-lived streams).
    public var idleTimeout: Double?
    /// Overrides `limits.max_body_bytes` (e.g. a SCIM provider's advertised maxPayloadSize).
    public var maxBodyBytes: Int?
    /// How the canonical path is forwarded. `.normalize` (the rule) decodes escaped unreserved
    /// characters; `.preserve` is the opt-out for an upstream that needs the caller's escapes
    /// byte for byte (dot segments are still removed, and an escaped `.` is refused).
    public var pathEscapes: CanonicalPath.Escapes = .normalize
    /// The header the route's credential goes in, when not the one its `CredentialSpec`
    /// declares (the http kind's `credential_header`).
    public var credentialHeader: String?
    /// The scheme written before the credential.
    public var credentialScheme: CredentialScheme = .declared
    /// The address the upstream reads as the caller's (`X-Forwarded-For`, `X-Real-IP`).
    public var forwardedFor: ForwardedFor = .client

    public enum CredentialScheme: Sendable, Hashable {
        /// As the `CredentialSpec` declares it.
        case declared
        /// The bare value.
        case bare
        case scheme(String)
    }

    public enum ForwardedFor: Sendable, Hashable {
        /// The caller's own address.
        case client
        /// Always this address (Langboard binds a key to the gateway's egress address).
        case fixed(String)
    }

    public init(
        family: Family, pathPrefix: String = "", stripPrefix: Bool = false, upstream: EndpointURL,
        credentialKey: String?, hostHeader: String?, requiredPermission: String? = nil,
        strippedHeaders: Set<String> = [], strippedQueryParameters: Set<String> = [], rewrites: [URLRewrite] = [],
        forwardedPrefix: String? = nil, idleTimeout: Double? = nil, maxBodyBytes: Int? = nil
    ) {
        self.idleTimeout = idleTimeout
        self.maxBodyBytes = maxBodyBytes
        self.family = family
        self.pathPrefix = pathPrefix
        self.stripPrefix = stripPrefix
        self.upstream = upstream
        self.credentialKey = credentialKey
        self.hostHeader = hostHeader
        self.requiredPermission = requiredPermission
        self.strippedHeaders = strippedHeaders
        self.strippedQueryParameters = strippedQueryParameters
        self.rewrites = rewrites
        self.forwardedPrefix = forwardedPrefix
    }
}
