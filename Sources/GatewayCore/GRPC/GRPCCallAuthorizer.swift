/// Decides, as a pure function of a call's head (and then of its namespace), whether the gateway
/// forwards a gRPC call: who calls (a bearer token in `authorization`, or the connection's client
/// certificate), whether that principal may use the connector and the method, and whether the
/// namespace the request message names is one of its namespaces and agrees with the
/// namespace header. Every refusal is a gRPC status with a message that says why.
struct GRPCCallAuthorizer: Sendable {
    let connector: String
    let policy: GRPCCallPolicy
    let principals: PrincipalDirectory

    /// What the head of a call allows.
    enum HeadDecision {
        case refuse(GRPCAnswer, Caller)
        /// Forward once the namespace (field `field` of the first request message) is checked.
        case readNamespace(field: Int, Caller)
        case forward(Caller)
    }

    /// Who calls and what: known once the head is read, logged on the call's access line.
    struct Caller: Sendable {
        var principal: Principal?
        var auth: AuthMethod?
        var path: GRPCMethodPath?
        var rule: GRPCMethodRule?
        /// The namespace header's value, when the call sent one.
        var namespaceHeader: String?

        var principalName: String { principal?.name ?? "-" }
    }

    /// The call's `:path`, `authorization` and namespace header values (nil when absent; a
    /// header sent twice is refused by the caller of this function).
    func decide(
        path rawPath: String, authorization: String?, namespaceHeader: String?, certificate: CallerCertificate?
    ) -> HeadDecision {
        var caller = Caller(path: GRPCMethodPath(rawPath), namespaceHeader: namespaceHeader)
        if !principals.isEmpty {
            let token = authorization.flatMap(Self.bearerToken)
            if authorization != nil, token == nil {
                return .refuse(GRPCAnswer(.unauthenticated, "The authorization metadata is not 'Bearer <token>'."), caller)
            }
            switch principals.authenticate(token: token, certificate: certificate) {
            case let .authenticated(principal, method):
                caller.principal = principal
                caller.auth = method
            case let .refused(detail):
                let how =
                    "Send the principal's token as the authorization metadata 'Bearer <token>' (the SDKs' api_key), or connect with a client certificate of a certificate principal."
                return .refuse(GRPCAnswer(.unauthenticated, detail.contains("Present ") ? detail : "\(detail) \(how)"), caller)
            }
            guard caller.principal!.mayUse(connector: connector) else {
                return .refuse(
                    GRPCAnswer(
                        .permissionDenied, "Principal '\(caller.principalName)' may not use connector '\(connector)'."), caller)
            }
        }
        guard let path = caller.path else {
            return .refuse(GRPCAnswer(.unimplemented, "'\(rawPath)' is not a gRPC method path (/package.Service/Method)."), caller)
        }
        guard let rule = policy.rule(path: rawPath) else {
            return .refuse(
                GRPCAnswer(
                    .permissionDenied,
                    "The gateway does not know the method \(path.service)/\(path.method), so it cannot tell what the call touches; it forwards only the methods of its table."
                ),
                caller)
        }
        caller.rule = rule
        if let permission = rule.permission, let principal = caller.principal, !principal.permissions.contains(permission) {
            return .refuse(
                GRPCAnswer(
                    .permissionDenied,
                    "\(path.shortService)/\(path.method) needs the '\(permission)' permission, which principal '\(principal.name)' does not have."),
                caller)
        }
        switch rule.namespace {
        case let .field(number):
            return .readNamespace(field: number, caller)
        case let .none(allowed):
            guard allowed else {
                return .refuse(
                    GRPCAnswer(
                        .permissionDenied,
                        "\(path.shortService)/\(path.method) acts in no namespace and is not in the connector's calls_without_namespace."),
                    caller)
            }
            return .forward(caller)
        }
    }

    /// The namespace the request message names (empty when it names none): refused when the
    /// header says another one, or the principal may not use it.
    func authorize(namespace: String, caller: Caller) -> GRPCAnswer? {
        let method = caller.path.map { "\($0.shortService)/\($0.method)" } ?? "the call"
        if let header = caller.namespaceHeader, header != namespace {
            let header = policy.namespaceHeader ?? "namespace"
            return GRPCAnswer(
                .invalidArgument,
                "The \(header) metadata says '\(caller.namespaceHeader!)' but the \(method) request names namespace '\(namespace)'; they must agree.")
        }
        if let principal = caller.principal, !principal.mayUse(namespace: namespace) {
            let allowed = principal.namespaces?.joined(separator: ", ") ?? ""
            return GRPCAnswer(
                .permissionDenied,
                namespace.isEmpty
                    ? "The \(method) request names no namespace; principal '\(principal.name)' may act only in its \(policy.namespaceListKey) (\(allowed))."
                    : "Principal '\(principal.name)' may not act in namespace '\(namespace)' (its \(policy.namespaceListKey): \(allowed)).")
        }
        return nil
    }

    /// The token of `Bearer <token>` (scheme case-insensitive); nil for anything else.
    static func bearerToken(_ value: String) -> Substring? {
        guard value.utf8.count > 7, HeaderName.hasPrefix(value, "bearer ") else { return nil }
        let token = value.dropFirst(7).drop { $0 == " " }
        return token.isEmpty ? nil : token
    }
}
