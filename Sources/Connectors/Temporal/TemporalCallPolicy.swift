import GatewayCore

/// How the gateway checks Temporal calls, built from the generated method table
/// (`TemporalMethods`): the namespace of a call is the request's own top-level `namespace` field
/// (its number differs by method), a call that names none is allowed only when listed,
/// `OperatorService`, `AdminService` and the WorkflowService calls that create or change a
/// namespace need the `manage` permission, and the task queue polls and history waits are long polls.
enum TemporalCallPolicy {
    static let operatorService = "temporal.api.operatorservice.v1.OperatorService"
    static let adminService = "temporal.server.api.adminservice.v1.AdminService"
    static let healthService = "grpc.health.v1.Health"

    /// What the SDKs and the CLI call before they name a namespace, and the health check.
    static let defaultCallsWithoutNamespace = "WorkflowService/GetSystemInfo WorkflowService/GetClusterInfo Health/Check"

    /// WorkflowService calls that create or change a namespace itself: operators' work.
    static let namespaceAdministration: Set<String> = ["RegisterNamespace", "UpdateNamespace", "DeprecateNamespace"]

    /// `Service/Method` of every call that names no namespace (what `calls_without_namespace` may list).
    static let namespaceFreeCalls: Set<String> = Set(
        TemporalMethods.namespaceFields.filter { $0.value == 0 }.keys.map(shortName)
    ).union(["Health/Check", "Health/Watch"])

    /// `temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo` -> `WorkflowService/GetSystemInfo`.
    static func shortName(_ path: String) -> String {
        let parts = path.split(separator: "/")
        guard parts.count == 2, let service = parts[0].split(separator: ".").last else { return path }
        return "\(service)/\(parts[1])"
    }

    /// The calls of a `calls_without_namespace` value (space- or comma-separated).
    static func calls(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }).map(String.init)
    }

    /// Every method's rule with no call without namespace allowed, built once from the table;
    /// `make` only opens the listed ones.
    static let baseRules: [String: GRPCMethodRule] = {
        var methods: [String: GRPCMethodRule] = [:]
        for (path, field) in TemporalMethods.namespaceFields {
            let method = String(path.split(separator: "/").last ?? "")
            let operatorCall = path.hasPrefix(operatorService + "/") || namespaceAdministration.contains(method)
            methods["/\(path)"] = GRPCMethodRule(
                namespace: field > 0 ? .field(field) : .none(allowed: false),
                permission: operatorCall ? "manage" : nil,
                longPoll: method.hasPrefix("Poll") || method == "GetWorkflowExecutionHistory")
        }
        for method in ["Check", "Watch"] {
            methods["/\(healthService)/\(method)"] = GRPCMethodRule(namespace: .none(allowed: false), longPoll: method == "Watch")
        }
        return methods
    }()

    static func make(callsWithoutNamespace: [String], maxMessageBytes: Int) -> GRPCCallPolicy {
        let allowed = Set(callsWithoutNamespace)
        var methods = baseRules
        for (path, rule) in baseRules where rule.namespace == .none(allowed: false) && allowed.contains(shortName(String(path.dropFirst()))) {
            methods[path]?.namespace = .none(allowed: true)
        }
        return GRPCCallPolicy(
            methods: methods,
            // The server's admin API is not in the public table: operators only, whatever the namespace.
            services: [adminService: GRPCMethodRule(namespace: .none(allowed: true), permission: "manage")],
            namespaceHeader: "temporal-namespace", namespaceListKey: "temporal_namespaces", maxMessageBytes: maxMessageBytes)
    }
}
