import Foundation
import Testing

@testable import Connectors
@testable import GatewayCore

/// Upstream mTLS: `client_cert_file` / `client_key_file` (paths or references) become the
/// client certificate of the connector's routes; a half pair, PEM text in the setting, an
/// unreadable file or a key of another certificate is refused, and no message shows the key.
@Suite("client certificates to upstreams")
struct ClientCertificateTests {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("tls").path

    static func yaml(_ extra: String) -> String {
        """
        connector_inventory:
          - name: secured
            kind: http
            executor_url: https://127.0.0.1:9443
        \(extra)
        """
    }

    static func table(_ configuration: GatewayConfiguration, secrets: SecretStore = SecretStore()) throws(ConfigError) -> RouteTable {
        try RouteTable(configuration: configuration, secrets: secrets, eventLoopCount: 1)
    }

    static func target(_ table: RouteTable) -> UpstreamTarget? {
        guard case let .upstream(routes)? = table.routes["secured"] else { return nil }
        return routes.primary
    }

    @Test func aPairOfFilesIsPresentedUpstream() throws {
        let configuration = try TestInventory.load(
            Self.yaml(
                """
                    client_cert_file: \(Self.folder)/client.pem
                    client_key_file: \(Self.folder)/client.key
                """))
        let target = try #require(Self.target(try Self.table(configuration)))
        #expect(target.presentsClientCertificate)
        #expect(target.poolKey.contains("client="))
        #expect(!target.poolKey.contains("client=-"))
    }

    @Test func aKeyByReferenceIsReadFromTheResolvedSecret() throws {
        let configuration = try TestInventory.load(
            Self.yaml(
                """
                    client_cert_file: \(Self.folder)/client.pem
                    client_key_file: openbao://secret/connectors/secured#client_key
                """))
        #expect(configuration.connectors[0].secretSources.map(\.key) == ["client_key_file"])
        var secrets = SecretStore()
        let key = try String(contentsOfFile: "\(Self.folder)/client.key", encoding: .utf8)
        secrets.setForTesting("secured/client_key_file", SecretValue(key.trimmingCharacters(in: .newlines)))
        #expect(Self.target(try Self.table(configuration, secrets: secrets))?.presentsClientCertificate == true)
        let explained = ExplainReport(configuration).text
        #expect(explained.contains("openbao://secret/connectors/secured#client_key"))
        #expect(!explained.contains("PRIVATE KEY"))
    }

    @Test func withoutThemNothingIsPresented() throws {
        let configuration = try TestInventory.load(Self.yaml(""))
        #expect(Self.target(try Self.table(configuration))?.presentsClientCertificate == false)
    }

    @Test func aHalfPairIsRefusedByTheLoader() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    """
                        client_cert_file: \(Self.folder)/client.pem
                    """)))
        let issue = try #require(error.errors.first { $0.code == .clientCertificateIncomplete })
        #expect(issue.connector == "secured")
        #expect(issue.problem.contains("'client_key_file' is not"))
        #expect(location(issue.location, names: "connectors.yaml:5"))
    }

    /// A PEM key header, put together so that no key header sits in the source.
    static let keyLabel = "PRIVATE " + "KEY"

    @Test func pemTextInTheSettingIsRefusedWithoutEchoingIt() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    """
                        client_cert_file: \(Self.folder)/client.pem
                        client_key_file: "-----BEGIN \(Self.keyLabel)-----MIGHAgEAMBMGByqGSM49"
                    """)))
        let issue = try #require(error.errors.first { $0.key == "client_key_file" })
        #expect(!String(describing: error).contains("MIGHAgEAMBMGByqGSM49"))
        #expect(issue.fix.contains("openbao://"))
    }

    @Test func anUnreadableFileIsRefusedByTheLoader() throws {
        let error = try #require(
            TestInventory.refusal(
                Self.yaml(
                    """
                        client_cert_file: \(Self.folder)/client.pem
                        client_key_file: \(Self.folder)/missing.key
                    """)))
        #expect(error.errors.contains { $0.code == .clientCertificateUnusable && $0.key == "client_key_file" })
    }

    @Test func aKeyOfAnotherCertificateIsRefusedWhenRoutesAreBuilt() throws {
        let configuration = try TestInventory.load(
            Self.yaml(
                """
                    client_cert_file: \(Self.folder)/client.pem
                    client_key_file: \(Self.folder)/other.key
                """))
        do throws(ConfigError) {
            _ = try Self.table(configuration)
            Issue.record("a mismatched pair was accepted")
        } catch {
            let issue = try #require(error.errors.first)
            #expect(issue.code == .clientCertificateUnusable)
            #expect(issue.key == "client_key_file")
            #expect(issue.problem.contains("does not belong to the certificate"))
            let key = try String(contentsOfFile: "\(Self.folder)/other.key", encoding: .utf8)
            let body = key.split(separator: "\n").dropFirst().first.map(String.init) ?? "unlikely"
            #expect(!String(describing: error).contains(body))
        }
    }
}
