import Testing

@testable import GatewayCore

/// DESIGN.md section 2, rule 4: machine routes use the executor URL only.
@Suite("Rule 4: executor URL only, no fallback")
struct RoutingRuleTests {
    @Test("rule 4: fallback keys are refused", arguments: ["fallback_url", "use_public_url", "executor_fallback"])
    func fallbackRefused(key: String) {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                public_url: https://langboard.example.com
                executor_url: https://127.0.0.1:1002
                \(key): https://langboard.example.com
            """)
        let issue = expectIssue(error, .noFallback, at: "connectors.yaml:6", connector: "langboard", key: key)
        #expect(issue?.fix.contains("executor_url") == true)
    }

    @Test("rule 4: ui_only with an executor_url is refused")
    func uiOnlyWithExecutorRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                public_url: https://langboard.example.com
                executor_url: https://127.0.0.1:1002
                connector_mode: ui_only
            """)
        expectIssue(error, .uiOnlyExecutor, at: "connectors.yaml:5", connector: "langboard", key: "executor_url")
    }

    @Test("rule 4: ui_only from the env file with an executor_url in the yaml is refused")
    func uiOnlyFromEnvRefused() throws {
        let env = try TestInventory.envFile("FRACTALOPS_LANGBOARD_CONNECTOR_MODE=ui_only\n", path: "lab.env")
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                executor_url: https://127.0.0.1:1002
            """, files: [env])
        expectIssue(error, .uiOnlyExecutor, at: "connectors.yaml:4", connector: "langboard", key: "executor_url")
    }

    @Test("rule 4: without an executor URL there is no machine route, never the public or internal URL")
    func noExecutorNoRoute() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: langboard
                    kind: langboard
                    public_url: https://langboard.example.com
                    internal_url: https://10.20.0.15:1002
                  - name: board-ui
                    kind: langboard
                    connector_mode: ui_only
                    public_url: https://board.example.com
                """))
        let plain = try #require(config.connector(named: "langboard"))
        #expect(plain.executorURL == nil)
        #expect(plain.publicURL?.description == "https://langboard.example.com")
        #expect(plain.internalURL?.description == "https://10.20.0.15:1002")
        guard case let .none(reason) = plain.machineRoute else {
            Issue.record("expected no machine route, got \(plain.machineRoute)")
            return
        }
        #expect(reason.contains("no executor_url"))
        #expect(reason.contains("public_url"), "says why the public URL is not used")

        let ui = try #require(config.connector(named: "board-ui"))
        #expect(ui.connectorMode == .uiOnly)
        guard case let .none(uiReason) = ui.machineRoute else {
            Issue.record("expected no machine route, got \(ui.machineRoute)")
            return
        }
        #expect(uiReason.contains("ui_only"))
    }

    @Test("rule 4: the executor URL is the route, whatever the public URL")
    func executorIsTheRoute() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: langboard
                    kind: langboard
                    public_url: https://langboard.example.com
                    executor_url: https://127.0.0.1:1002/api/
                """))
        let connector = try #require(config.connector(named: "langboard"))
        guard case let .http(route) = connector.machineRoute else {
            Issue.record("expected an HTTP route, got \(connector.machineRoute)")
            return
        }
        #expect(route.value == EndpointURL(scheme: .https, host: "127.0.0.1", port: 1002, path: "/api"))
        #expect(route.source == .file(path: "connectors.yaml", line: 5))
    }
}
