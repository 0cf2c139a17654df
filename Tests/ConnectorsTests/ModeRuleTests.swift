import Testing

@testable import Connectors
@testable import GatewayCore

/// DESIGN.md section 2, rules 1-3: one effective connector_mode, the SCIM base under scim,
/// runtime_gateway only for CLIProxy.
@Suite("Rules 1-3: connector modes")
struct ModeRuleTests {
    // MARK: Rule 1

    @Test("rule 1: connector_mode is one of the eight values")
    func unknownModeRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                executor_url: https://127.0.0.1:1002
                connector_mode: hybird
            """)
        let issue = expectIssue(error, .unknownMode, at: "connectors.yaml:5", connector: "langboard", key: "connector_mode")
        #expect(issue?.description.contains("Did you mean 'hybrid'?") == true)
        #expect(issue?.fix.contains("runtime_gateway") == true, "the fix lists the eight values")
    }

    @Test("rule 1: connector_mode and integration_mode that disagree are refused")
    func conflictingModesRefused() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                connector_mode: hybrid
                integration_mode: jit
                executor_url: https://127.0.0.1:1002
            """)
        let issue = expectIssue(error, .conflictingMode, at: "connectors.yaml:4", connector: "langboard", key: "connector_mode")
        #expect(issue?.problem.contains("connectors.yaml:5") == true, "names where integration_mode is set")
    }

    @Test("rule 1: an env override that disagrees with the yaml synonym is refused")
    func conflictAcrossLayersRefused() throws {
        let env = try TestInventory.envFile("FRACTALOPS_LANGBOARD_CONNECTOR_MODE=poll\n")
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: langboard
                kind: langboard
                integration_mode: jit
                executor_url: https://127.0.0.1:1002
            """, files: [env])
        expectIssue(error, .conflictingMode, at: ".env.generated:1", connector: "langboard", key: "connector_mode")
    }

    @Test("rule 1: accepted modes, the synonym, and agreeing values")
    func modesAccepted() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: langboard
                    kind: langboard
                    mode: jit
                    executor_url: https://127.0.0.1:1002
                  - name: board-two
                    kind: langboard
                    integration_mode: poll
                    executor_url: https://127.0.0.1:1003
                  - name: board-three
                    kind: langboard
                    connector_mode: hybrid
                    integration_mode: hybrid
                    executor_url: https://127.0.0.1:1004
                """))
        let first = try #require(config.connector(named: "langboard"))
        #expect(first.connectorMode == .project, "mode is a domain classification and never changes the execution mode")
        #expect(first.modeReason == .defaultOfKind("langboard"))
        let second = try #require(config.connector(named: "board-two"))
        #expect(second.connectorMode == .poll)
        #expect(second.modeReason == .synonym(.file(path: "connectors.yaml", line: 8)))
        let third = try #require(config.connector(named: "board-three"))
        #expect(third.connectorMode == .hybrid)
        #expect(third.modeReason == .override(.file(path: "connectors.yaml", line: 12)))
    }

    // MARK: Rule 2

    @Test("rule 2: connector_mode scim without a scim_base_url switches nothing: the executor URL, with a warning")
    func scimWithoutBaseRoutesToTheExecutor() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: directory
                    kind: http
                    connector_mode: scim
                    executor_url: https://127.0.0.1:9443
                """))
        let connector = try #require(config.connector(named: "directory"))
        #expect(connector.executorURL?.description == "https://127.0.0.1:9443")
        #expect(connector.settings["executor_url"]?.source == .file(path: "connectors.yaml", line: 5), "not derived: nothing switched")
        let routes = connector.kind.routes(for: connector)
        #expect(routes.map(\.family) == [.executor, .scim])
        #expect(routes.allSatisfy { $0.upstream.description == "https://127.0.0.1:9443" })
        let warning = try #require(config.warnings.first { $0.code == .scimWithoutBase })
        #expect(warning.severity == .warning)
        #expect(location(warning.location, names: "connectors.yaml:4"))
        #expect(warning.problem.contains("go to the executor URL https://127.0.0.1:9443"))
        #expect(warning.fix.contains("FRACTALOPS_DIRECTORY_SCIM_BASE_URL"))
    }

    @Test("rule 2: the scim_base_url becomes the executor URL, recorded as derived")
    func scimBaseBecomesExecutor() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: directory
                    kind: http
                    connector_mode: scim
                    scim_base_url: https://127.0.0.1:9443/scim/v2/
                """))
        let connector = try #require(config.connector(named: "directory"))
        #expect(connector.connectorMode == .scim)
        #expect(connector.executorURL?.description == "https://127.0.0.1:9443/scim/v2")
        let executor = try #require(connector.settings["executor_url"])
        guard case let .derived(what, from) = executor.source else {
            Issue.record("executor_url source is \(executor.source), not derived")
            return
        }
        #expect(what.contains("scim_base_url"))
        #expect(from == .file(path: "connectors.yaml", line: 5))
        guard case let .http(route) = connector.machineRoute else {
            Issue.record("machine route is \(connector.machineRoute)")
            return
        }
        #expect(route.source == executor.source)
    }

    @Test("rule 2: an executor_url beside scim is replaced, with a warning")
    func scimReplacesExecutorWithWarning() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: directory
                    kind: http
                    connector_mode: scim
                    scim_base_url: https://127.0.0.1:9443/scim/v2
                    executor_url: https://127.0.0.1:9000
                """))
        #expect(config.connector(named: "directory")?.executorURL?.description == "https://127.0.0.1:9443/scim/v2")
        let warning = try #require(config.warnings.first { $0.code == .executorIgnored })
        #expect(warning.severity == .warning)
        #expect(location(warning.location, names: "connectors.yaml:6"))
    }

    // MARK: Rule 3

    @Test(
        "rule 3: runtime_gateway on a kind that is not a runtime gateway is refused",
        arguments: ["langboard", "http", "daytona", "nexus", "temporal"])
    func runtimeGatewayRefused(kind: String) {
        let target =
            kind == "temporal"
            ? "    executor_address: 127.0.0.1:7233\n    listen: 127.0.0.1:7234"
            : "    executor_url: https://127.0.0.1:1002\n    scim_base_url: https://127.0.0.1:9443/scim/v2"
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: gw
                kind: \(kind)
                connector_mode: runtime_gateway
            \(target)
            """)
        #expect(error?.errors.count == 1, "only the mode is wrong: \(String(describing: error))")
        let issue = expectIssue(error, .runtimeGatewayKind, at: "connectors.yaml:4", connector: "gw", key: "connector_mode")
        #expect(issue?.fix.contains("cliproxy") == true)
    }

    @Test("rule 3: cliproxy runs as runtime_gateway, also by default")
    func runtimeGatewayAccepted() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: models
                    kind: cliproxy
                    integration_mode: runtime_gateway
                    executor_url: https://127.0.0.1:8317
                  - name: cliproxy
                    executor_url: https://127.0.0.1:8318
                """))
        #expect(config.connector(named: "models")?.connectorMode == .runtimeGateway)
        let inferred = try #require(config.connector(named: "cliproxy"))
        #expect(inferred.kind.name == "cliproxy", "the kind is inferred from the name")
        #expect(inferred.connectorMode == .runtimeGateway)
        #expect(inferred.modeReason == .defaultOfKind("cliproxy"))
    }

    @Test("a mode that changes nothing for the kind is accepted with a warning that says what happens")
    func meaninglessModeWarns() throws {
        let config = try #require(
            expectLoads(
                """
                connector_inventory:
                  - name: sandbox
                    kind: daytona
                    executor_url: http://127.0.0.1:3986
                    connector_mode: scim_projected
                """))
        let sandbox = try #require(config.connector(named: "sandbox"))
        #expect(sandbox.connectorMode == .scimProjected)
        #expect(sandbox.kind.routes(for: sandbox).map(\.family) == [.executor])
        let warning = try #require(config.warnings.first { $0.code == .modeWithoutEffect })
        #expect(location(warning.location, names: "connectors.yaml:5"))
        #expect(warning.key == "connector_mode")
        #expect(warning.problem.contains("only /executor/sandbox is routed, as under project"))
    }
}
