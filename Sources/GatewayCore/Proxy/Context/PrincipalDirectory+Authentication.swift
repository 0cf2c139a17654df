/// How a request proved who it is, as its access line says (`gateway.auth`): `token`,
/// `certificate`, `pomerium`, or several joined by `+` (all naming the same principal).
struct AuthMethod: Sendable, Equatable {
    var token = false
    var certificate = false
    var pomerium = false

    static let token = AuthMethod(token: true)
    static let certificate = AuthMethod(certificate: true)
    static let tokenAndCertificate = AuthMethod(token: true, certificate: true)

    var rawValue: String {
        [token ? "token" : nil, certificate ? "certificate" : nil, pomerium ? "pomerium" : nil]
            .compactMap { $0 }.joined(separator: "+")
    }
}

extension PrincipalDirectory {
    struct CertificateEntry: Sendable {
        var principal: Principal
        var match: CertificateMatch
    }

    struct PomeriumEntry: Sendable {
        var principal: Principal
        var match: PomeriumMatch
    }

    enum Authentication {
        case authenticated(Principal, AuthMethod)
        /// 401, with what the caller should do.
        case refused(detail: String)
    }

    /// Principals can be matched by client certificate.
    var acceptsCertificates: Bool { !certificateEntries.isEmpty }

    /// The principal of a request by its bearer token (`token`, when one was presented), its
    /// connection's client certificate, and its verified Pomerium assertion (`pomerium`, when one
    /// was presented and Pomerium is configured). Any one suffices; all that are present must
    /// name the same principal. A token or an assertion that names no principal is refused; a
    /// certificate that matches no principal names nobody (another credential may still
    /// authenticate).
    func authenticate(
        token: Substring?, certificate: CallerCertificate?, pomerium: PomeriumVerifier.Outcome? = nil
    ) -> Authentication {
        authenticate(tokenBytes: token?.utf8, certificate: certificate, pomerium: pomerium)
    }

    /// `authenticate(token:certificate:pomerium:)` with the token's bytes where they lie.
    func authenticate<Token: Collection<UInt8>>(
        tokenBytes token: Token?, certificate: CallerCertificate?, pomerium: PomeriumVerifier.Outcome?
    ) -> Authentication {
        // The usual request: a bearer token and nothing else to check it against (no array of
        // findings to build on the data path).
        if let token, pomerium == nil, certificate == nil || !acceptsCertificates {
            guard let principal = authenticate(bytes: token) else {
                return .refused(detail: "The bearer token is not the token of a configured principal.")
            }
            return .authenticated(principal, .token)
        }
        var found: [(method: String, principal: Principal)] = []
        var method = AuthMethod()
        if let token {
            guard let principal = authenticate(bytes: token) else {
                return .refused(detail: "The bearer token is not the token of a configured principal.")
            }
            found.append(("the bearer token", principal))
            method.token = true
        }
        if let pomerium {
            switch pomerium {
            case let .refused(detail): return .refused(detail: detail)
            case let .verified(identity):
                let matches = pomeriumEntries.filter { $0.match.matches(identity) }
                let who = identity.email.map { "'\($0)'" } ?? "subject '\(identity.subject ?? "?")'"
                if matches.count > 1 {
                    return .refused(
                        detail:
                            "The Pomerium identity \(who) matches several principals (\(matches.map(\.principal.name).joined(separator: ", "))); narrow their 'pomerium' lists so that one principal matches."
                    )
                }
                guard let principal = matches.first?.principal else {
                    return .refused(
                        detail:
                            "The Pomerium identity \(who) (groups: \(identity.groups.isEmpty ? "none" : identity.groups.joined(separator: ", "))) matches no principal's 'pomerium' emails or groups."
                    )
                }
                found.append(("the Pomerium assertion", principal))
                method.pomerium = true
            }
        }
        if let certificate, acceptsCertificates {
            let matches = certificateEntries.filter { $0.match.matches(certificate) }
            if matches.count > 1 {
                return .refused(
                    detail:
                        "The client certificate (\(certificate)) matches the 'certificate' patterns of several principals (\(matches.map(\.principal.name).joined(separator: ", "))); the gateway cannot tell which one calls. Narrow the patterns so that one principal matches."
                )
            }
            if let principal = matches.first?.principal {
                found.append(("the client certificate", principal))
                method.certificate = true
            } else if found.isEmpty {
                return .refused(
                    detail:
                        "The client certificate (\(certificate)) matches no principal's 'certificate' patterns, and no bearer token was presented.")
            }
        }
        guard let first = found.first else {
            if isEmpty {
                return .refused(detail: "No principals are configured (gateway.principals), so machine routes accept no caller.")
            }
            var ways = ["a gateway token as 'Authorization: Bearer <token>' of a configured principal"]
            if acceptsCertificates { ways.append("connect over HTTPS with a client certificate of a certificate principal") }
            if !pomeriumEntries.isEmpty { ways.append("come through Pomerium (X-Pomerium-Jwt-Assertion)") }
            return .refused(detail: "Present \(ways.joined(separator: ", or ")).")
        }
        for other in found.dropFirst() where other.principal !== first.principal {
            return .refused(
                detail:
                    "\(first.method.prefix(1).uppercased() + first.method.dropFirst()) is principal '\(first.principal.name)' but \(other.method) is principal '\(other.principal.name)'; a request that carries several credentials must name one principal."
            )
        }
        return .authenticated(first.principal, method)
    }
}
