import Foundation
import Logging
import Testing

@testable import Connectors
@testable import GatewayCore

/// `validate` builds what `serve` builds before it listens (`ConfigurationDryRun`): a file that
/// loads (it is readable) but holds no usable PEM stops `serve`, so it stops `validate` too,
/// naming the connector and the key; material behind unresolved references is left to
/// `--resolve-secrets` (and to `serve`, which resolves first).
@Suite("validate builds what serve builds")
struct ValidateMatchesServeTests {
    static let tls = GatewayTLSSettingsTests.folder

    /// A readable file that is not PEM.
    static let garbage = "\(tls)/not-a-pem.pem"

    static func refusal(_ yaml: String) throws -> ConfigError {
        let configuration = try TestInventory.load(yaml)
        do {
            try ConfigurationDryRun.check(configuration, secrets: nil)
        } catch {
            return error
        }
        Issue.record("the dry run accepted it")
        return ConfigError(issues: [])
    }

    @Test func aCAFileThatIsNoPEMIsRefusedAndServeRefusesItToo() throws {
        let yaml = """
            connector_inventory:
              - {name: lb, kind: http, executor_url: "https://127.0.0.1:9443", ca_file: "\(Self.garbage)"}
            """
        let error = try Self.refusal(yaml)
        let issue = try #require(error.errors.first)
        #expect(issue.connector == "lb" && issue.key == "ca_file", "\(error)")
        // serve, over the same configuration, stops on the same issue
        #expect(throws: ConfigError.self) {
            _ = try GatewayApplication(configuration: try TestInventory.load(yaml), logger: Logger(label: "test"), secrets: SecretStore())
        }
    }

    @Test func aClientCertificateThatIsNoPEMIsRefused() throws {
        let error = try Self.refusal(
            """
            connector_inventory:
              - {name: lb, kind: http, executor_url: "https://127.0.0.1:9443", client_cert_file: "\(Self.garbage)", client_key_file: "\(Self.tls)/client.key"}
            """)
        #expect(error.errors.contains { $0.connector == "lb" && ($0.key ?? "").hasPrefix("client_") }, "\(error)")
    }

    @Test func theHTTPSListenersCertificateIsLoaded() throws {
        let error = try Self.refusal(
            """
            gateway:
              listen_tls: 127.0.0.1:0
              tls: {cert_file: "\(Self.garbage)", key_file: "\(Self.tls)/client.key"}
            connector_inventory: []
            """)
        #expect(error.errors.contains { ($0.key ?? "").hasPrefix("gateway.tls") }, "\(error)")
    }

    @Test(arguments: ["grpc", "tcp"])
    func aTemporalListenersTLSIsLoaded(transport: String) throws {
        let error = try Self.refusal(
            """
            connector_inventory:
              - name: temporal
                kind: temporal
                executor_address: 127.0.0.1:7233
                listen: 127.0.0.1:7234
                transport: \(transport)
                listen_tls: {cert_file: "\(Self.garbage)", key_file: "\(Self.tls)/client.key"}
            """)
        #expect(error.errors.contains { $0.connector == "temporal" && ($0.key ?? "").hasPrefix("listen_tls") }, "\(error)")
    }

    @Test func aGRPCUpstreamsCAIsLoaded() throws {
        let error = try Self.refusal(
            """
            connector_inventory:
              - {name: temporal, kind: temporal, executor_address: 127.0.0.1:7233, listen: 127.0.0.1:7234, tls: true, ca_file: "\(Self.garbage)"}
            """)
        #expect(error.errors.contains { $0.connector == "temporal" }, "\(error)")
    }

    @Test func goodMaterialAndUnresolvedReferencesPass() throws {
        let configuration = try TestInventory.load(
            """
            connector_inventory:
              - {name: lb, kind: http, executor_url: "https://127.0.0.1:9443", ca_file: "\(Self.tls)/ca.pem",
                 client_cert_file: "\(Self.tls)/client.pem", client_key_file: "openbao://secret/gateway/tls#client_key"}
              - {name: temporal, kind: temporal, executor_address: 127.0.0.1:7233, listen: 127.0.0.1:7234, tls: true,
                 ca_file: "\(Self.tls)/ca.pem"}
            """)
        try ConfigurationDryRun.check(configuration, secrets: nil)
        let bundled = try TestInventory.loader(files: [TestInventory.demoEnv()]).load(
            path: TestInventory.packageRoot.appendingPathComponent("connectors.yaml").path, displayPath: "connectors.yaml")
        try ConfigurationDryRun.check(bundled, secrets: nil)
    }
}
