import Foundation
import Testing

@testable import GatewayCore

/// DESIGN.md section 2, rules 5 and 6: runtime assets instead of raw selectors; sensitive keys
/// hold references, and literals are refused on request without ever being echoed.
@Suite("Rules 5-6: selectors and secrets")
struct SelectorAndSecretRuleTests {
    // MARK: Rule 5

    @Test("rule 5: raw selectors on a connector are refused", arguments: ["vmid", "namespace", "node", "pod", "ctid"])
    func rawSelectorRefused(key: String) {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                executor_url: https://127.0.0.1:1002
                \(key): x101
            """)
        let issue = expectIssue(error, .rawInfraSelector, at: "connectors.yaml:5", connector: "langboard", key: key)
        #expect(issue?.fix.contains("runtime_asset") == true)
    }

    @Test("rule 5: a raw selector nested in runtime_asset is refused")
    func nestedRawSelectorRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                executor_url: https://127.0.0.1:1002
                runtime_asset: {id: langboard-api, role: executor, vmid: 101}
            """)
        expectIssue(error, .rawInfraSelector, at: "connectors.yaml:5", connector: "langboard", key: "runtime_asset.vmid")
    }

    @Test("rule 5: a raw selector in the env is refused")
    func envRawSelectorRefused() throws {
        let env = try TestInventory.envFile("# generated\nFRACTALOPS_LANGBOARD_VMID=101\n")
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                executor_url: https://127.0.0.1:1002
            """, files: [env])
        let issue = expectIssue(error, .rawInfraSelector, at: ".env.generated:2", connector: "langboard", key: "vmid")
        #expect(issue?.fix.contains("FRACTALOPS_LANGBOARD_RUNTIME_ASSET_ID") == true)

        let fromProcess = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
            """, process: ["FRACTALOPS_LANGBOARD_NAMESPACE": "langboard"])
        let processIssue = fromProcess?.errors.first { $0.code == .rawInfraSelector }
        #expect(processIssue?.location == "FRACTALOPS_LANGBOARD_NAMESPACE from the process environment")
        #expect(processIssue?.key == "namespace")
    }

    @Test("rule 5: runtime_asset is accepted, from the yaml and from the env")
    func runtimeAssetAccepted() throws {
        let env = try TestInventory.envFile("FRACTALOPS_TEMPORAL_RUNTIME_ASSET_ROLE=frontend\n")
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: langboard
                    kind: langboard
                    runtime_asset: {id: langboard-api, role: executor}
                  - name: temporal
                    kind: temporal
                    executor_address: 127.0.0.1:7233
                    listen: 127.0.0.1:7234
                    health_service: temporal.api.workflowservice.v1.WorkflowService
                    runtime_asset:
                      id: temporal-frontend
                      role: executor
                """, files: [env]))
        #expect(config.connector(named: "langboard")?.runtimeAssetID == "langboard-api")
        #expect(config.connector(named: "langboard")?.runtimeAssetRole == "executor")
        let temporal = try #require(config.connector(named: "temporal"))
        #expect(temporal.runtimeAssetID == "temporal-frontend")
        #expect(temporal.runtimeAssetRole == "frontend", "the env wins over the yaml")
        #expect(temporal.settings["runtime_asset.id"]?.source == .file(path: "connectors.yaml", line: 11))
    }

    // MARK: Rule 6

    static let literal = "lb-Literal-Value-8f3a2c"

    @Test("rule 6: with require-ref, a literal secret is refused, naming the key and never the value")
    func literalRefusedUnderRequireRef() throws {
        let env = try TestInventory.envFile("FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true\n")
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                executor_url: https://127.0.0.1:1002
                auth:
                  api_key: \(Self.literal)
            """, files: [env])
        let issue = expectIssue(error, .literalSecretRefused, at: "connectors.yaml:6", connector: "langboard", key: "auth.api_key")
        #expect(issue?.fix.contains("openbao://") == true)
        #expect(error.map { !"\($0)".contains(Self.literal) } == true, "the value never appears")
    }

    @Test("rule 6: with require-ref, a literal in the env file is refused too")
    func envLiteralRefused() throws {
        let env = try TestInventory.envFile(
            """
            FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=yes
            FRACTALOPS_LANGBOARD_API_KEY='\(Self.literal)'
            """)
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                auth: {api_key: "openbao://secret/connectors/langboard#api_key"}
            """, files: [env])
        expectIssue(error, .literalSecretRefused, at: ".env.generated:2", connector: "langboard", key: "auth.api_key")
        #expect(error.map { !"\($0)".contains(Self.literal) } == true)
    }

    @Test("rule 6: without require-ref a literal loads with a warning; references always load")
    func literalWarnsWithoutRequireRef() throws {
        let yaml = """
            connector_inventory:
              - name: langboard
                kind: langboard
                auth: {api_key: \(Self.literal)}
              - name: nexus
                kind: nexus
                scim_base_url: https://127.0.0.1:9443/scim/v2
                auth: {token: "openbao://secret/connectors/nexus#scim_token?version=3"}
            """
        let config = try #require(expectLoads(yaml))
        #expect(config.requireReferenceForSensitive == false)
        let warning = try #require(config.warnings.first { $0.code == .literalSecret })
        #expect(warning.severity == .warning)
        #expect(warning.key == "auth.api_key")
        #expect(!"\(config.warnings)".contains(Self.literal))
        let credential = try #require(config.connector(named: "langboard")?.credentials.first)
        #expect(credential.source.value.description == "<redacted literal>")

        let nexus = try #require(config.connector(named: "nexus")?.credentials.first)
        #expect(nexus.source.value.reference == .openBao(mount: "secret", path: "connectors/nexus", field: "scim_token", version: 3))

        // The same inventory without the literal passes require-ref.
        let strict = yaml.replacingOccurrences(of: Self.literal, with: "env://LANGBOARD_KEY")
        let loaded = expectLoads(strict, process: ["FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE": "TRUE"])
        #expect(loaded?.requireReferenceForSensitive == true)
        #expect(loaded?.warnings.isEmpty == true)
    }

    @Test("rule 6: a refused literal principal token suggests a usable reference")
    func principalFix() throws {
        let env = try TestInventory.envFile("FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true\n")
        let error = TestInventory.refusal(
            """
            gateway:
              principals:
                - name: worker
                  token: \(Self.literal)
                  connectors: ["*"]
            connector_inventory: []
            """, files: [env])
        let issue = expectIssue(error, .literalSecretRefused, at: "connectors.yaml:4", connector: "principal 'worker'", key: "token")
        #expect(error.map { !"\($0)".contains(Self.literal) } == true)
        #expect(issue?.fix.contains("principal 'worker'#") == false, "\(issue?.fix ?? "")")
    }

    @Test("rule 6: a refused URL does not echo the credentials it carries")
    func urlCredentialsNotEchoed() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                executor_url: https://admin:Hunter2-pw@127.0.0.1:1002
            """)
        expectIssue(error, .invalidURL, at: "connectors.yaml:4", connector: "langboard", key: "executor_url")
        #expect(error.map { !"\($0)".contains("Hunter2-pw") } == true, "\(String(describing: error))")
    }

    @Test("rule 6 and 8: a duplicate key is reported at its line, without echoing the inventory")
    func duplicateKeyNotEchoed() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                auth: {api_key: \(Self.literal)}
                executor_url: https://127.0.0.1:1002
                executor_url: https://127.0.0.1:1003
            """)
        #expect(error != nil)
        expectIssue(error, .yamlDuplicateKey, at: "connectors.yaml:6", connector: "langboard", key: "executor_url")
        #expect(error.map { !"\($0)".contains(Self.literal) } == true, "\(String(describing: error))")
    }

    @Test("rule 6: an invalid reference is refused, also under require-ref")
    func invalidReferenceRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: nexus
                kind: nexus
                scim_base_url: https://127.0.0.1:9443/scim/v2
                auth: {token: "openbao://secret#scim_token"}
            """)
        let issue = expectIssue(error, .invalidReference, at: "connectors.yaml:5", connector: "nexus", key: "auth.token")
        #expect(issue?.fix.contains("openbao://<mount>/<path>#<field>") == true)
    }
}
