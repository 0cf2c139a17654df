/// What the connector's own probe got back.
public struct ProbeResult: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case http
        case grpc
    }

    public var kind: Kind
    /// `GET https://10.20.0.15:1002/health` or `grpc 127.0.0.1:7233 grpc.health.v1.Health/Check(<service>)`.
    public var request: String
    /// The HTTP status (`:status` for gRPC); nil when no answer came.
    public var status: Int?
    /// Request sent to response complete.
    public var latencySeconds: Double?
    /// The first bytes of the body (printable, one line), for answers that are not healthy.
    public var bodyExcerpt: String?
    /// `grpc-status` from the trailers.
    public var grpcStatus: Int?
    public var grpcMessage: String?
    /// `HealthCheckResponse.status`, e.g. `SERVING`.
    public var servingStatus: String?

    public init(
        kind: Kind, request: String, status: Int? = nil, latencySeconds: Double? = nil, bodyExcerpt: String? = nil,
        grpcStatus: Int? = nil, grpcMessage: String? = nil, servingStatus: String? = nil
    ) {
        self.kind = kind
        self.request = request
        self.status = status
        self.latencySeconds = latencySeconds
        self.bodyExcerpt = bodyExcerpt
        self.grpcStatus = grpcStatus
        self.grpcMessage = grpcMessage
        self.servingStatus = servingStatus
    }
}
