/// How the gateway reaches OpenBao: address, namespace, TLS, timeouts, the refresh interval and
/// the login method. Built from the `gateway.openbao:` section and its env overrides by
/// `init(settings:environment:baseDirectory:)`.
package struct OpenBaoConfiguration: Sendable, Hashable {
    package enum AuthMethod: String, Sendable, Hashable, CaseIterable {
        case token
        case appRole = "approle"
        case kubernetes

        package static var allNames: [String] { allCases.map(\.rawValue) }
    }

    /// Where a login credential (token, role id, secret id) is read from, at each login.
    package enum CredentialSource: Sendable, Hashable, CustomStringConvertible {
        /// A file (trailing whitespace removed), absolute path.
        case file(String)
        /// The first of these variables that is set, in the env files or the process environment.
        case variables([String])

        package var description: String {
            switch self {
            case let .file(path): return "the file \(path)"
            case let .variables(names): return names.count == 1 ? names[0] : names.joined(separator: ", ")
            }
        }
    }

    package enum Auth: Sendable, Hashable {
        case token(CredentialSource)
        case appRole(mount: String, roleID: CredentialSource, secretID: CredentialSource)
        case kubernetes(mount: String, role: String?, jwtFile: String)

        package var method: AuthMethod {
            switch self {
            case .token: return .token
            case .appRole: return .appRole
            case .kubernetes: return .kubernetes
            }
        }

        /// How the login is described in messages: `token`, `AppRole login at auth/approle`.
        package var label: String {
            switch self {
            case .token: return "token"
            case let .appRole(mount, _, _): return "AppRole login at auth/\(mount)"
            case let .kubernetes(mount, _, _): return "Kubernetes login at auth/\(mount)"
            }
        }
    }

    package static let serviceAccountTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
    package static let tokenVariables = ["FRACTALOPS_OPENBAO_TOKEN", "BAO_TOKEN", "VAULT_TOKEN"]

    /// Nil when none is configured; `addressProblem` then says why.
    package var address: EndpointURL?
    /// Why there is no usable address (unset, or a fallback variable that is not a URL).
    package var addressProblem: String?
    package var namespace: String?
    /// Absolute path of the CA bundle, when one is set.
    package var caFile: String?
    package var verifyTLS: Bool
    /// Seconds.
    package var timeout: Double
    /// Seconds; 0 turns re-reading off.
    package var refreshInterval: Double
    package var auth: Auth

    package init(
        address: EndpointURL?, namespace: String? = nil, caFile: String? = nil, verifyTLS: Bool = true,
        timeout: Double = 10, refreshInterval: Double = 300, auth: Auth = .token(.variables(tokenVariables))
    ) {
        self.address = address
        self.addressProblem = address == nil ? Self.noAddress : nil
        self.namespace = namespace
        self.caFile = caFile
        self.verifyTLS = verifyTLS
        self.timeout = timeout
        self.refreshInterval = refreshInterval
        self.auth = auth
    }

    static let noAddress =
        "no OpenBao address is configured: set gateway.openbao.address or FRACTALOPS_OPENBAO_ADDR (BAO_ADDR and VAULT_ADDR are read as fallbacks)"
}
