import Foundation
import Testing

@testable import Connectors
@testable import GatewayCore

/// `gateway.tls.client_ca_file` + `client_auth`, and principals matched by client certificate:
/// what loads, and the errors (file, line, key, how to fix) for what does not.
@Suite("certificate principal settings")
struct CertificatePrincipalSettingsTests {
    static let folder = GatewayTLSSettingsTests.folder
    static let listener = """
          listen_tls: 127.0.0.1:0
          tls: {cert_file: \(folder)/client.pem, key_file: \(folder)/client.key, client_ca_file: \(folder)/ca.pem}
        """

    static func yaml(_ gateway: String, principal: String) -> String {
        "gateway:\n\(gateway)\n  principals:\n    - name: worker\n      connectors: [\"*\"]\n\(principal)\nconnector_inventory: []\n"
    }

    @Test func aPrincipalKnownByItsCertificateOnlyLoads() throws {
        let configuration = try TestInventory.load(
            Self.yaml(
                Self.listener.replacingOccurrences(of: "}", with: ", client_auth: required}"),
                principal: "      certificate: {uri_san: \"spiffe://fractalops/worker/*\", subject_cn: build-1}"))
        let worker = try #require(configuration.gateway.principal(named: "worker"))
        #expect(worker.token == nil)
        #expect(worker.certificate?.description == "uri_san spiffe://fractalops/worker/*, subject_cn build-1")
        #expect(configuration.gateway.clientCertificateRequired)
        #expect(ExplainReport(configuration).text.contains("principal worker: certificate uri_san spiffe://fractalops/worker/*"))
        let certificate = ServerCertificate()
        #expect(try certificate.load(configuration: configuration, secrets: SecretStore()) != .unchanged)
    }

    @Test(arguments: ["spiffe://*/worker", "a**", "*", "spiffe://x/*/y/*"])
    func aPatternWithAStarElsewhereThanAtTheEndIsRefused(pattern: String) throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    Self.listener, principal: "      certificate: {uri_san: \"\(pattern)\"}")))
        let issue = try #require(error.errors.first { $0.key == "certificate.uri_san" })
        #expect(issue.code == .invalidValue)
        #expect(location(issue.location, names: "connectors.yaml:7"))
        #expect(issue.problem.contains(pattern) && issue.fix.contains("spiffe://fractalops/worker/*"))
    }

    @Test func certificatePrincipalsWithoutAClientCAAreAnError() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    "  listen: 127.0.0.1:0", principal: "      certificate: {dns_san: worker.internal}")))
        let issue = try #require(error.errors.first { $0.code == .clientCAMissing })
        #expect(issue.key == "certificate" && issue.fix.contains("gateway.tls.client_ca_file"))
        #expect(location(issue.location, names: "connectors.yaml:4"))
    }

    @Test func clientAuthWithoutAClientCAIsAnError() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    """
                      listen_tls: 127.0.0.1:0
                      tls: {cert_file: \(Self.folder)/client.pem, key_file: \(Self.folder)/client.key, client_auth: required}
                    """, principal: "      token: env://T")))
        let issue = try #require(error.errors.first { $0.code == .clientCAMissing })
        #expect(issue.key == "gateway.tls.client_auth" && location(issue.location, names: "connectors.yaml:3"))
    }

    @Test func anUnreadableClientCAIsAnErrorNamingTheFile() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    """
                      listen_tls: 127.0.0.1:0
                      tls: {cert_file: \(Self.folder)/client.pem, key_file: \(Self.folder)/client.key, client_ca_file: /nonexistent/ca.pem}
                    """, principal: "      certificate: {uri_san: spiffe://fractalops/worker/a}")))
        let issue = try #require(error.errors.first { $0.code == .caFileUnreadable })
        #expect(issue.key == "gateway.tls.client_ca_file" && issue.problem.contains("/nonexistent/ca.pem"))
    }

    @Test func aPrincipalWithNeitherTokenNorCertificateIsAnError() throws {
        let error = try #require(TestInventory.refusal(Self.yaml(Self.listener, principal: "      description: nobody")))
        let issue = try #require(error.errors.first { $0.code == .principalWithoutCredential })
        #expect(issue.fix.contains("certificate") && issue.fix.contains("token"))
    }
}
