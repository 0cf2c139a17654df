/// What the connector's own probe got back.
package struct ProbeResult: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable, Codable {
        case http
        case grpc
    }

    package var kind: Kind
    /// `GET https://10.20.0.15:1002/health` or `grpc 127.0.0.1:7233 grpc.health.v1.Health/Check(<service>)`.
    package var request: String
    /// The HTTP status (`:status` for gRPC); nil when no answer came.
    package var status: Int?
    /// Request sent to response complete.
    package var latencySeconds: Double?
    /// The first bytes of the body (printable, one line), for answers that are not healthy.
    package var bodyExcerpt: String?
    /// `grpc-status` from the trailers.
    package var grpcStatus: Int?
    package var grpcMessage: String?
    /// `HealthCheckResponse.status`, e.g. `SERVING`.
    package var servingStatus: String?

    package init(
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
