/// What a probe got back, before it is judged.
enum ProbeAnswer: Sendable, Hashable {
    /// An HTTP answer: its status, the statuses the kind calls healthy, and a body excerpt.
    case http(status: Int, healthy: Set<Int>, excerpt: String?)
    /// A gRPC health answer: HTTP/2 `:status`, `grpc-status` and `grpc-message` from the trailers,
    /// and the decoded serving status (nil when no message came).
    case grpc(httpStatus: Int, grpcStatus: Int?, message: String?, serving: GRPCServingStatus?, service: String)
}
