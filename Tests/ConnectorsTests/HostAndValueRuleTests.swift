import Foundation
import FoundationEssentials
import Testing

@testable import GatewayCore

/// DESIGN.md section 2, rules 7 and 8: no cluster-internal defaults in the inventory; URLs,
/// addresses, booleans, names and keys are checked.
@Suite("Rules 7-8: hosts and values")
struct HostAndValueRuleTests {
    // MARK: Rule 7

    @Test(
        "rule 7: cluster-internal host names in inventory defaults are refused",
        arguments: [
            ("executor_url", "http://langboard-api.langboard.svc:8000"),
            ("executor_url", "https://langboard-api.langboard.svc.cluster.local"),
            ("host_header", "langboard.langboard.svc.cluster.local"),
            ("tls_server_name", "LANGBOARD.LANGBOARD.SVC"),
            ("public_url", "https://langboard.langboard.svc.cluster.local"),
        ])
    func clusterInternalRefused(key: String, value: String) {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                \(key): \(value)
            """)
        let issue = expectIssue(error, .clusterInternalHost, at: "connectors.yaml:4", connector: "langboard", key: key)
        #expect(issue?.fix.contains("FRACTALOPS_LANGBOARD_\(key.uppercased())") == true)
    }

    @Test("rule 7: a fully qualified name with a trailing dot is cluster-internal too")
    func clusterInternalTrailingDot() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                executor_url: http://langboard-api.langboard.svc.cluster.local.:8000
            """)
        expectIssue(error, .clusterInternalHost, at: "connectors.yaml:4", connector: "langboard", key: "executor_url")
    }

    @Test("rule 7: a cluster-internal Temporal address in the inventory is refused")
    func clusterInternalTemporalRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: temporal
                kind: temporal
                listen: 127.0.0.1:7234
                executor_address: temporal-frontend.temporal.svc:7233
            """)
        expectIssue(error, .clusterInternalHost, at: "connectors.yaml:5", connector: "temporal", key: "executor_address")
    }

    @Test("rule 7: cluster-internal names arrive through the generated env")
    func clusterInternalFromEnvAccepted() throws {
        let env = try TestInventory.envFile(
            """
            FRACTALOPS_LANGBOARD_EXECUTOR_URL=http://langboard-api.langboard.svc.cluster.local:8000
            FRACTALOPS_TEMPORAL_EXECUTOR_ADDRESS=temporal-frontend.temporal.svc.cluster.local:7233
            """)
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: langboard
                    kind: langboard
                    executor_url: https://127.0.0.1:1002
                    host_header: langboard.internal
                  - name: temporal
                    kind: temporal
                    listen: 127.0.0.1:7234
                    executor_address: 127.0.0.1:7233
                """, files: [env]))
        let langboard = try #require(config.connector(named: "langboard"))
        #expect(langboard.executorURL?.host == "langboard-api.langboard.svc.cluster.local")
        #expect(
            langboard.settings["executor_url"]?.source
                == .envFile(name: "FRACTALOPS_LANGBOARD_EXECUTOR_URL", path: ".env.generated", line: 1))
        guard case let .tcp(address) = try #require(config.connector(named: "temporal")).machineRoute else {
            Issue.record("temporal has no TCP route")
            return
        }
        #expect(address.value == HostPort(host: "temporal-frontend.temporal.svc.cluster.local", port: 7233))
    }

    // MARK: Rule 8

    @Test(
        "rule 8: URLs are absolute http(s) URLs with a valid port and no credentials",
        arguments: [
            "127.0.0.1:1002", "ftp://127.0.0.1/x", "https://user:secret@127.0.0.1", "https://127.0.0.1:0",
            "https://127.0.0.1:70000", "https://", "https://127.0.0.1/x?debug=1", "https://127.0.0.1:port",
        ])
    func badURLRefused(url: String) {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: daytona
                kind: daytona
                executor_url: "\(url)"
            """)
        expectIssue(error, .invalidURL, at: "connectors.yaml:4", connector: "daytona", key: "executor_url")
    }

    @Test(
        "rule 8: the Temporal address is host:port",
        arguments: [
            "127.0.0.1", "127.0.0.1:0", "http://127.0.0.1:7233", "127.0.0.1:7233/x", "::1:7233", "temporal:99999",
        ])
    func badAddressRefused(address: String) {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: temporal
                kind: temporal
                listen: 127.0.0.1:7234
                executor_address: "\(address)"
            """)
        let issue = expectIssue(error, .invalidAddress, at: "connectors.yaml:5", connector: "temporal", key: "executor_address")
        #expect(issue?.fix.contains("host:port") == true)
    }

    @Test("rule 8: booleans are booleans", arguments: [#""true""#, "'false'", "yes", "no", "on", "1", "maybe"])
    func badBoolRefused(value: String) {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                verify_tls: \(value)
            """)
        expectIssue(error, .invalidBool, at: "connectors.yaml:4", connector: "langboard", key: "verify_tls")
    }

    @Test("rule 8: env booleans accept true/false, 1/0, yes/no and refuse anything else")
    func envBooleans() throws {
        let yaml = """
            connector_inventory:
              - name: langboard
                kind: langboard
                verify_tls: true
            """
        for (text, expected) in [("false", false), ("0", false), ("NO", false), ("True", true), ("1", true), ("yes", true)] {
            let env = try TestInventory.envFile("FRACTALOPS_LANGBOARD_VERIFY_TLS=\(text)\n")
            let config = expectLoads(yaml, files: [env])
            #expect(config?.connector(named: "langboard")?.verifyTLS == expected, "\(text)")
        }
        let env = try TestInventory.envFile("FRACTALOPS_LANGBOARD_VERIFY_TLS=maybe\n")
        let error = TestInventory.refusal(yaml, files: [env])
        expectIssue(error, .invalidBool, at: ".env.generated:1", connector: "langboard", key: "verify_tls")
        let config = expectLoads(yaml.replacingOccurrences(of: "verify_tls: true", with: "verify_tls: False"))
        #expect(config?.connector(named: "langboard")?.verifyTLS == false)
    }

    @Test("rule 8: connector names are unique, also by env prefix")
    func duplicateNamesRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
              - name: board
                kind: langboard
              - name: langboard
                kind: langboard
            """)
        let issue = expectIssue(error, .duplicateName, at: "connectors.yaml:6", connector: "langboard", key: "name")
        #expect(issue?.problem.contains("line 2") == true)

        let prefix = TestInventory.refusal(
            """
            connector_inventory:
              - name: lang-board
                kind: langboard
              - name: lang_board
                kind: langboard
            """)
        let prefixIssue = expectIssue(prefix, .duplicateName, at: "connectors.yaml:4", connector: "lang_board", key: "name")
        #expect(prefixIssue?.problem.contains("FRACTALOPS_LANG_BOARD_") == true)
    }

    @Test("rule 8: names must fit the env prefix", arguments: ["Langboard", "lang board", "1board", "board.v2", "-board"])
    func invalidNameRefused(name: String) {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: "\(name)"
                kind: langboard
            """)
        expectIssue(error, .invalidName, at: "connectors.yaml:2", connector: name, key: "name")
    }

    @Test("rule 8: unknown keys and kinds are refused with a did-you-mean")
    func unknownKeysRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                host_heder: langboard.internal
                runtime_asset: {id: langboard-api, rol: executor}
                health: {pth: /health}
              - name: other
                kind: langbaord
            """)
        let key = expectIssue(error, .unknownKey, at: "connectors.yaml:4", connector: "langboard", key: "host_heder")
        #expect(key?.problem.contains("Did you mean 'host_header'?") == true)
        let nested = expectIssue(error, .unknownKey, at: "connectors.yaml:5", connector: "langboard", key: "runtime_asset.rol")
        #expect(nested?.problem.contains("Did you mean 'role'?") == true)
        let health = expectIssue(error, .unknownKey, at: "connectors.yaml:6", connector: "langboard", key: "health.pth")
        #expect(health?.problem.contains("Did you mean 'path'?") == true)
        let kind = expectIssue(error, .unknownKind, at: "connectors.yaml:8", connector: "other", key: "kind")
        #expect(kind?.problem.contains("Did you mean 'langboard'?") == true)
        #expect(kind?.fix.contains("langboard, nexus, daytona, cliproxy, temporal, http") == true)
    }

    @Test("rule 8: a misspelled top-level section is refused with a did-you-mean")
    func unknownTopLevelRefused() {
        let error = TestInventory.refusal(
            """
            gateway:
              listen: 127.0.0.1:8080
            connector_inventroy:
              - name: langboard
            """)
        let issue = expectIssue(error, .unknownKey, at: "connectors.yaml:3", connector: nil, key: "connector_inventroy")
        #expect(issue?.problem.contains("Did you mean 'connector_inventory'?") == true)
    }

    @Test("rule 8: every value type is checked and valid values load")
    func validValuesAccepted() throws {
        let config = try #require(
            expectLoads(
                """
                gateway:
                  listen: "[::1]:0"
                  drain_timeout: 45s
                  health: {interval: 1m, timeout: 250ms, cert_expiry_warning_days: 30}
                connector_inventory:
                  - name: langboard
                    kind: langboard
                    executor_url: https://[fd00::15]:1002/
                    host_header: langboard.internal:8443
                    verify_tls: false
                    ca_file: examples/ca/internal-ca.pem
                    health: {path: /health, interval: 10s, timeout: 2s}
                    limits: {max_connections: 64, idle_timeout: 90s}
                  - name: temporal
                    kind: temporal
                    listen: 0.0.0.0:7234
                    executor_address: "[fd00::7]:7233"
                    idle_timeout: 90s
                """))
        #expect(config.gateway.listen == HostPort(host: "::1", port: 0))
        #expect(config.gateway.drainTimeout == 45)
        #expect(config.gateway.healthInterval == 60)
        #expect(config.gateway.healthTimeout == 0.25)
        #expect(config.gateway.certificateExpiryWarningDays == 30)
        let langboard = try #require(config.connector(named: "langboard"))
        #expect(langboard.executorURL == EndpointURL(scheme: .https, host: "fd00::15", port: 1002))
        #expect(langboard.hostHeader == "langboard.internal:8443")
        #expect(langboard.verifyTLS == false)
        #expect(langboard.integer("limits.max_connections") == 64)
        #expect(langboard.duration("limits.idle_timeout") == 90)
        #expect(langboard.duration("limits.connect_timeout") == 5, "defaults fill the rest")
        let temporal = try #require(config.connector(named: "temporal"))
        #expect(temporal.duration("idle_timeout") == 90)
        #expect(
            temporal.machineRoute
                == .tcp(
                    Sourced(
                        HostPort(host: "fd00::7", port: 7233),
                        from: .file(path: "connectors.yaml", line: 17))))
    }

    @Test("a CA file that cannot be read is refused; a readable one, relative to the inventory, loads")
    func caFile() throws {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                ca_file: examples/ca/missing.pem
            """)
        let issue = expectIssue(error, .caFileUnreadable, at: "connectors.yaml:4", connector: "langboard", key: "ca_file")
        #expect(issue?.problem.contains(TestInventory.packageRoot.path + "/examples/ca/missing.pem") == true)
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: langboard
                    kind: langboard
                    ca_file: examples/ca/internal-ca.pem
                """))
        #expect(config.connector(named: "langboard")?.caFile == "examples/ca/internal-ca.pem")
    }

    @Test("Temporal: idle_timeout below 90s is refused")
    func temporalIdleTimeoutRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: temporal
                kind: temporal
                listen: 127.0.0.1:7234
                executor_address: 127.0.0.1:7233
                idle_timeout: 89s
            """)
        let issue = expectIssue(error, .invalidDuration, at: "connectors.yaml:6", connector: "temporal", key: "idle_timeout")
        #expect(issue?.problem.contains("90s") == true)
    }
}
