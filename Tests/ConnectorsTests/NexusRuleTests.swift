import Testing

@testable import Connectors
@testable import GatewayCore

/// DESIGN.md section 2, rule 9: for Nexus, FRACTALOPS_NEXUS_URL and
/// FRACTALOPS_NEXUS_SCIM_BASE_URL are both derived from the SCIM base.
@Suite("Rule 9: Nexus URLs are derived")
struct NexusRuleTests {
    @Test("rule 9: the service URL and the executor are derived from scim_base_url")
    func derived() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: nexus
                    kind: nexus
                    scim_base_url: https://nexus.example.com:9443/scim/v2
                """))
        let nexus = try #require(config.connector(named: "nexus"))
        #expect(nexus.connectorMode == .scim, "scim is the default of kind nexus")
        #expect(nexus.url("url")?.value.description == "https://nexus.example.com:9443")
        #expect(nexus.executorURL?.description == "https://nexus.example.com:9443/scim/v2")
        for key in ["url", "executor_url"] {
            let source = try #require(nexus.settings[key]?.source)
            guard case let .derived(_, from) = source else {
                Issue.record("\(key) comes from \(source), not derived")
                continue
            }
            #expect(from == .file(path: "connectors.yaml", line: 4))
        }
    }

    @Test("rule 9: the SCIM base from the env drives both derived URLs")
    func derivedFromEnv() throws {
        let env = try TestInventory.envFile("FRACTALOPS_NEXUS_SCIM_BASE_URL=https://10.0.0.9/scim/v2\n", path: "lab.env")
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: nexus
                    kind: nexus
                    scim_base_url: https://127.0.0.1:9443/scim/v2
                """, files: [env]))
        let nexus = try #require(config.connector(named: "nexus"))
        #expect(nexus.url("url")?.value.description == "https://10.0.0.9")
        #expect(nexus.executorURL?.description == "https://10.0.0.9/scim/v2")
        guard case let .derived(_, from)? = nexus.settings["url"]?.source else {
            Issue.record("url is not derived")
            return
        }
        #expect(from == .envFile(name: "FRACTALOPS_NEXUS_SCIM_BASE_URL", path: "lab.env", line: 1))
    }

    @Test("rule 9: an explicit url equal to the derived one is accepted")
    func explicitEqualAccepted() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: nexus
                    kind: nexus
                    scim_base_url: https://127.0.0.1:9443/scim/v2
                    url: https://127.0.0.1:9443/
                """))
        #expect(config.connector(named: "nexus")?.url("url")?.value.description == "https://127.0.0.1:9443")
    }

    @Test("rule 9: an explicit url that differs is refused, from the yaml or the env")
    func explicitConflictRefused() throws {
        let yaml = """
            connector_inventory:
              - name: nexus
                kind: nexus
                scim_base_url: https://127.0.0.1:9443/scim/v2
                url: https://nexus.example.com
            """
        let error = TestInventory.refusal(yaml)
        let issue = expectIssue(error, .nexusDerivedConflict, at: "connectors.yaml:5", connector: "nexus", key: "url")
        #expect(issue?.problem.contains("https://127.0.0.1:9443") == true)

        let env = try TestInventory.envFile("FRACTALOPS_NEXUS_URL=https://nexus.example.com\n")
        let fromEnv = TestInventory.refusal(
            """
            connector_inventory:
              - name: nexus
                kind: nexus
                scim_base_url: https://127.0.0.1:9443/scim/v2
            """, files: [env])
        expectIssue(fromEnv, .nexusDerivedConflict, at: ".env.generated:1", connector: "nexus", key: "url")
    }

    @Test("rule 9: a Nexus connector without a SCIM base is refused")
    func withoutBaseRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: nexus
                kind: nexus
                connector_mode: scim_projected
                executor_url: https://127.0.0.1:9443
            """)
        let issue = expectIssue(error, .scimWithoutBase, at: "connectors.yaml:2", connector: "nexus", key: "scim_base_url")
        #expect(issue?.problem.contains("FRACTALOPS_NEXUS_URL") == true)
    }

    @Test("the service URL drops a /scim/v2 or /scim suffix only")
    func serviceURL() throws {
        let cases = [
            ("https://n.example/scim/v2", "https://n.example"),
            ("https://n.example/api/SCIM/V2", "https://n.example/api"),
            ("https://n.example/scim", "https://n.example"),
            ("https://n.example/directory", "https://n.example/directory"),
        ]
        for (base, expected) in cases {
            let url = try EndpointURL(parsing: base)
            #expect(NexusKind.serviceURL(fromSCIMBase: url).description == expected, "\(base)")
        }
    }
}
