/// How a request proved who it is, as its access line says (`gateway.auth`).
enum AuthMethod: String, Sendable {
    case token
    case certificate
    case tokenAndCertificate = "token+certificate"
}

extension PrincipalDirectory {
    struct CertificateEntry: Sendable {
        var principal: Principal
        var match: CertificateMatch
    }

    enum Authentication {
        case authenticated(Principal, AuthMethod)
        /// 401, with what the caller should do.
        case refused(detail: String)
    }

    /// Principals can be matched by client certificate.
    var acceptsCertificates: Bool { !certificateEntries.isEmpty }

    /// The principal of a request by its bearer token (`token`, when one was presented) and its
    /// connection's client certificate. Either one suffices; a token that matches no principal,
    /// or a token and a certificate naming different principals, is refused. A certificate that
    /// matches no principal names nobody (a token alone may still authenticate).
    func authenticate(token: Substring?, certificate: CallerCertificate?) -> Authentication {
        var byToken: Principal?
        if let token {
            guard let principal = authenticate(token) else {
                return .refused(detail: "The bearer token is not the token of a configured principal.")
            }
            byToken = principal
        }
        var byCertificate: Principal?
        if let certificate, acceptsCertificates {
            let matches = certificateEntries.filter { $0.match.matches(certificate) }
            if matches.count > 1 {
                return .refused(detail: "The client certificate (\(certificate)) matches the 'certificate' patterns of several principals (\(matches.map(\.principal.name).joined(separator: ", "))); the gateway cannot tell which one calls. Narrow the patterns so that one principal matches.")
            }
            byCertificate = matches.first?.principal
            if byCertificate == nil, byToken == nil {
                return .refused(detail: "The client certificate (\(certificate)) matches no principal's 'certificate' patterns, and no bearer token was presented.")
            }
        }
        switch (byToken, byCertificate) {
        case let (token?, certificate?):
            guard token === certificate else {
                return .refused(detail: "The bearer token is principal '\(token.name)' but the client certificate is principal '\(certificate.name)'; a request that carries both must name one principal.")
            }
            return .authenticated(token, .tokenAndCertificate)
        case let (token?, nil): return .authenticated(token, .token)
        case let (nil, certificate?): return .authenticated(certificate, .certificate)
        case (nil, nil):
            if isEmpty {
                return .refused(detail: "No principals are configured (gateway.principals), so machine routes accept no caller.")
            }
            return .refused(detail: acceptsCertificates
                ? "Present a gateway token as 'Authorization: Bearer <token>' of a configured principal, or connect over HTTPS with a client certificate of a certificate principal."
                : "Present a gateway token as 'Authorization: Bearer <token>' of a configured principal.")
        }
    }
}
