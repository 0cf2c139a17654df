import Foundation
import Testing

@testable import Connectors
@testable import GatewayCore

/// `gateway.listen_tls` + `gateway.tls`: both halves required, plain HTTP reduced to probes by
/// default once TLS is on, and the pair loaded (and a broken one refused) by `ServerCertificate`.
@Suite("gateway TLS listener settings")
struct GatewayTLSSettingsTests {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("tls").path

    static func yaml(_ gateway: String) -> String {
        "gateway:\n\(gateway)\nconnector_inventory: []\n"
    }

    @Test func withoutTLSPlainHTTPServesEverything() throws {
        let configuration = try TestInventory.load(Self.yaml("  listen: 127.0.0.1:0"))
        #expect(!configuration.gateway.tlsEnabled)
        #expect(configuration.gateway.plainHTTP == .all)
    }

    @Test func withTLSPlainHTTPServesProbesUnlessConfigured() throws {
        let tls = """
              listen_tls: 127.0.0.1:0
              tls: {cert_file: \(Self.folder)/client.pem, key_file: "file://\(Self.folder)/client.key"}
            """
        let configuration = try TestInventory.load(Self.yaml(tls))
        #expect(configuration.gateway.plainHTTP == .probes)
        let off = try TestInventory.load(Self.yaml(tls + "\n  plain_http: off"))
        #expect(off.gateway.plainHTTP == .off)
        let certificate = ServerCertificate()
        var secrets = SecretStore()
        secrets.setForTesting("gateway/tls.key_file", SecretValue("unused: file:// is read from the file"))
        #expect(try certificate.load(configuration: configuration, secrets: secrets) != .unchanged)
        #expect(try certificate.load(configuration: configuration, secrets: secrets) == .unchanged)
        #expect(certificate.context != nil)
        #expect(!certificate.serial.isEmpty)
        #expect(ExplainReport(configuration).text.contains("file://\(Self.folder)/client.key"))
    }

    @Test func aMismatchedPairIsRefusedAndCounted() throws {
        let configuration = try TestInventory.load(
            Self.yaml(
                """
                  listen_tls: 127.0.0.1:0
                  tls: {cert_file: \(Self.folder)/client.pem, key_file: \(Self.folder)/other.key}
                """))
        let certificate = ServerCertificate()
        #expect(throws: TLSMaterialError.self) { try certificate.load(configuration: configuration, secrets: SecretStore()) }
        #expect(certificate.context == nil)
        #expect(certificate.metricsText().contains("gateway_tls_certificate_reloads_total{result=\"refused\"} 1"))
    }

    @Test func listenTLSWithoutACertificateIsAnErrorNamingTheKey() throws {
        let error = try #require(TestInventory.refusal(Self.yaml("  listen_tls: 127.0.0.1:8443")))
        let keys = error.errors.filter { $0.code == .serverCertificateIncomplete }.compactMap(\.key)
        #expect(keys.contains("gateway.tls.cert_file") && keys.contains("gateway.tls.key_file"))
        #expect(error.errors.allSatisfy { location($0.location, names: "connectors.yaml:2") })
    }

    @Test func aCertificateWithoutListenTLSIsAnError() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    """
                      tls: {cert_file: \(Self.folder)/client.pem, key_file: \(Self.folder)/client.key}
                    """)))
        #expect(error.errors.contains { $0.key == "gateway.listen_tls" })
    }

    @Test func anUnreadableCertificateFileIsAnError() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    """
                      listen_tls: 127.0.0.1:0
                      tls: {cert_file: \(Self.folder)/missing.pem, key_file: \(Self.folder)/client.key}
                    """)))
        #expect(error.errors.contains { $0.code == .serverCertificateUnusable && $0.key == "gateway.tls.cert_file" })
    }
}
