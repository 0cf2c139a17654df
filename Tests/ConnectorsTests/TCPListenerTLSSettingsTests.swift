import Foundation
import Testing

@testable import Connectors
@testable import GatewayCore

/// A TCP (Temporal) listener with `listen_tls`: what validate says about it, and that the
/// contexts load. The principal rules are those of `transport: tcp` (a byte stream sees no
/// token); a gRPC listener checks every call and needs neither.
@Suite("TCP listener TLS settings")
struct TCPListenerTLSSettingsTests {
    static let folder = GatewayTLSSettingsTests.folder

    static func yaml(principals: Bool, temporal: String, transport: String = "tcp") -> String {
        """
        gateway:
          principals:\(principals ? "\n    - {name: worker, connectors: [temporal], certificate: {uri_san: \"spiffe://fractalops/worker/*\"}}" : " []")
        connector_inventory:
          - name: temporal
            kind: temporal
            executor_address: 127.0.0.1:7233
            listen: 127.0.0.1:7234
            transport: \(transport)
        \(temporal)
        """
    }

    static let listenTLS = "    listen_tls: {cert_file: \(folder)/client.pem, key_file: \(folder)/client.key, client_ca_file: \(folder)/ca.pem}"

    @Test func withPrincipalsAListenerWithoutTLSTerminationIsAWarning() throws {
        let configuration = try TestInventory.load(
            Self.yaml(principals: false, temporal: "    tls: false").replacingOccurrences(
                of: "principals: []", with: "principals:\n    - {name: worker, token: env://T, connectors: [temporal]}"))
        let warning = try #require(configuration.warnings.first { $0.code == .tcpListenerUnchecked })
        #expect(warning.severity == .warning && warning.connector == "temporal")
        #expect(warning.problem.contains("no principal can be checked on this listener"))
        #expect(warning.fix.contains("listen_tls"))
    }

    @Test func aGRPCListenerChecksEveryCallSoNeitherRuleApplies() throws {
        let plain = try TestInventory.load(
            Self.yaml(principals: false, temporal: "    tls: false", transport: "grpc").replacingOccurrences(
                of: "principals: []", with: "principals:\n    - {name: worker, token: env://T, connectors: [temporal]}"))
        #expect(plain.warnings.isEmpty, "\(plain.warnings)")
        let withoutClientCA = try TestInventory.load(
            Self.yaml(
                principals: false, temporal: "    listen_tls: {cert_file: \(Self.folder)/client.pem, key_file: \(Self.folder)/client.key}",
                transport: "grpc"
            ).replacingOccurrences(
                of: "principals: []", with: "principals:\n    - {name: worker, token: env://T, connectors: [temporal]}"))
        #expect(withoutClientCA.warnings.isEmpty, "\(withoutClientCA.warnings)")
    }

    @Test func withoutPrincipalsThereIsNothingToCheck() throws {
        let configuration = try TestInventory.load(Self.yaml(principals: false, temporal: "    tls: false"))
        #expect(configuration.warnings.isEmpty)
    }

    @Test func terminatingTLSWithPrincipalsNeedsAClientCA() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    principals: true, temporal: "    listen_tls: {cert_file: \(Self.folder)/client.pem, key_file: \(Self.folder)/client.key}")))
        let issue = try #require(error.errors.first { $0.code == .clientCAMissing && $0.key == "listen_tls.client_ca_file" })
        #expect(issue.connector == "temporal" && issue.problem.contains("every connection would be refused"))
    }

    @Test func halfAPairIsAnError() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    principals: false, temporal: "    listen_tls: {cert_file: \(Self.folder)/client.pem}")))
        let issue = try #require(error.errors.first { $0.code == .serverCertificateIncomplete })
        #expect(issue.key == "listen_tls.key_file" && issue.fix.contains("FRACTALOPS_TEMPORAL_LISTEN_TLS_KEY_FILE"))
    }

    @Test func anUnreadableListenerCertificateIsAnErrorNamingTheFile() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    principals: false, temporal: "    listen_tls: {cert_file: /nonexistent/listener.pem, key_file: \(Self.folder)/client.key}")))
        let issue = try #require(error.errors.first { $0.key == "listen_tls.cert_file" })
        #expect(issue.code == .serverCertificateUnusable && issue.problem.contains("/nonexistent/listener.pem"))
    }

    @Test func aCompleteListenTLSLoadsAndTheContextsBuild() throws {
        let configuration = try TestInventory.load(Self.yaml(principals: true, temporal: Self.listenTLS))
        #expect(configuration.warnings.isEmpty)
        let temporal = try #require(configuration.connectors.first)
        let termination = try #require(try TCPTermination(connector: temporal, configuration: configuration, secrets: SecretStore()))
        #expect(termination.verifiesCallers && !termination.serial.isEmpty)
        // The key is shown as its path, never its bytes.
        let explain = ExplainReport(configuration).text
        #expect(explain.contains("\(Self.folder)/client.key") && !explain.contains("PRIVATE KEY"))
    }
}
