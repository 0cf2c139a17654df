/// `grpc.health.v1.HealthCheckResponse.ServingStatus`.
enum GRPCServingStatus: Int, Sendable, Hashable {
    case unknown = 0
    case serving = 1
    case notServing = 2
    /// Used by `Watch` only; `Check` answers NOT_FOUND instead.
    case serviceUnknown = 3

    var name: String {
        switch self {
        case .unknown: return "UNKNOWN"
        case .serving: return "SERVING"
        case .notServing: return "NOT_SERVING"
        case .serviceUnknown: return "SERVICE_UNKNOWN"
        }
    }
}
