import Testing

@testable import GatewayCore

/// Principals by client certificate: the patterns, and how a token and a certificate combine.
@Suite("certificate principals")
struct CertificatePrincipalTests {
    static func pattern(_ text: String) -> NamePattern { try! NamePattern.parse(text).get() }

    @Test func patternsAreExactOrOneTrailingStar() {
        #expect(Self.pattern("spiffe://fractalops/worker/*").matches("spiffe://fractalops/worker/build-1"))
        #expect(!Self.pattern("spiffe://fractalops/worker/*").matches("spiffe://fractalops/operator/x"))
        #expect(Self.pattern("worker.internal").matches("worker.internal"))
        #expect(!Self.pattern("worker.internal").matches("worker.internal.evil"))
        #expect(!Self.pattern("Worker").matches("worker"))
        for refused in ["", "*", "a*b", "**", "*a"] {
            #expect(throws: NamePattern.Refusal.self) { try NamePattern.parse(refused).get() }
        }
    }

    static let directory: PrincipalDirectory = {
        var store = SecretStore()
        store.setForTesting("principal/worker", SecretValue("worker-token"))
        store.setForTesting("principal/operator", SecretValue("operator-token"))
        let token = Sourced(SecretSource.reference(.environment(name: "T")), from: .defaultValue(nil))
        return PrincipalDirectory(
            principals: [
                Principal(
                    name: "worker", location: "x:1", token: token, connectors: ["*"], permissions: [],
                    certificate: CertificateMatch(uriSAN: pattern("spiffe://fractalops/worker/*"))),
                Principal(name: "operator", location: "x:2", token: token, connectors: ["*"], permissions: []),
                Principal(
                    name: "scanner", location: "x:3", token: nil, connectors: ["*"], permissions: [],
                    certificate: CertificateMatch(dnsSAN: pattern("scanner.internal"), subjectCN: pattern("scanner"))),
            ], secrets: store)
    }()

    static let workerCertificate = CallerCertificate(uriSANs: ["spiffe://fractalops/worker/build-1"], subjectCN: "build-1")

    static func outcome(_ token: Substring?, _ certificate: CallerCertificate?) -> String {
        switch directory.authenticate(token: token, certificate: certificate) {
        case let .authenticated(principal, method): "\(principal.name) by \(method.rawValue)"
        case let .refused(detail): "401: \(detail)"
        }
    }

    @Test func aTokenOrACertificateOrBothThatAgreeAuthenticate() {
        #expect(Self.outcome("worker-token", nil) == "worker by token")
        #expect(Self.outcome(nil, Self.workerCertificate) == "worker by certificate")
        #expect(Self.outcome("worker-token", Self.workerCertificate) == "worker by token+certificate")
        #expect(Self.outcome(nil, CallerCertificate(dnsSANs: ["scanner.internal"], subjectCN: "scanner")) == "scanner by certificate")
        // A certificate that names nobody leaves the token to decide.
        #expect(Self.outcome("operator-token", CallerCertificate(subjectCN: "someone")) == "operator by token")
    }

    @Test func disagreementsAndUnknownsAreRefused() {
        #expect(
            Self.outcome("operator-token", Self.workerCertificate).hasPrefix(
                "401: The bearer token is principal 'operator' but the client certificate is principal 'worker'"))
        #expect(Self.outcome("wrong", Self.workerCertificate).hasPrefix("401: The bearer token is not"))
        #expect(Self.outcome(nil, CallerCertificate(subjectCN: "someone")).contains("matches no principal"))
        // Every pattern of a principal must match: the CN alone is not the scanner.
        #expect(Self.outcome(nil, CallerCertificate(subjectCN: "scanner")).contains("matches no principal"))
        #expect(Self.outcome(nil, nil).contains("client certificate of a certificate principal"))
    }

    @Test func aCertificateMatchingTwoPrincipalsIsRefused() {
        let both = CallerCertificate(uriSANs: ["spiffe://fractalops/worker/x"], dnsSANs: ["scanner.internal"], subjectCN: "scanner")
        #expect(Self.outcome(nil, both).contains("several principals (worker, scanner)"))
    }
}
