/// `/package.Service/Method`, split.
struct GRPCMethodPath: Hashable, Sendable {
    /// `package.Service`.
    var service: String
    var method: String

    init?(_ path: String) {
        guard path.hasPrefix("/") else { return nil }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        service = String(parts[0])
        method = String(parts[1])
    }

    /// `Service` without its package, for people (`WorkflowService`).
    var shortService: Substring { service.split(separator: ".").last ?? Substring(service) }
}
