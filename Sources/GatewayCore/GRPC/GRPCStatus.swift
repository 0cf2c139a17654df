/// A gRPC status code (the `grpc-status` trailer), as the gateway answers and counts calls.
struct GRPCStatus: Hashable, Sendable {
    var code: Int

    static let ok = GRPCStatus(code: 0)
    static let cancelled = GRPCStatus(code: 1)
    static let unknown = GRPCStatus(code: 2)
    static let invalidArgument = GRPCStatus(code: 3)
    static let permissionDenied = GRPCStatus(code: 7)
    static let resourceExhausted = GRPCStatus(code: 8)
    static let unimplemented = GRPCStatus(code: 12)
    static let internalError = GRPCStatus(code: 13)
    static let unavailable = GRPCStatus(code: 14)
    static let unauthenticated = GRPCStatus(code: 16)

    /// `OK`, `PERMISSION_DENIED`, ... (metrics labels and access lines).
    var name: String { GRPCStatusName.name(code) }

    /// The code of a `grpc-status` value; nil when it is not a number.
    init?(trailer value: String) {
        guard let code = Int(value), code >= 0 else { return nil }
        self.code = code
    }

    init(code: Int) { self.code = code }
}
