import Testing

@testable import GatewayCore

/// A test-only kind: one credential, one option with an env binding, a derived setting and a
/// check of its own in `finalize`.
struct EchoKind: ConnectorKind {
    var name = "echo"
    var summary = "test-only echo endpoint"
    var defaultMode: ConnectorMode = .poll
    var credentials = [CredentialSpec(key: "token", header: "X-Echo-Token")]
    var options = [
        SettingSpec("greeting", .string, env: .suffix("GREETING"), default: .string("hello"), summary: "what to say")
    ]

    func finalize(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        if connector.string("greeting") == "goodbye" {
            diagnostics.append(
                ConfigIssue(
                    .invalidValue, at: connector.settings["greeting"]?.source.description, connector: connector.name,
                    key: "greeting", problem: "An echo connector never says goodbye.", fix: "Say hello."))
        }
        if let executor = connector.executorURL {
            connector.setDerived("public_url", .url(executor), what: "executor_url", from: connector.settings["executor_url"]?.source)
        }
    }
}

@Suite("ConnectorRegistry")
struct ConnectorRegistryTests {
    @Test("registers kinds in order and refuses a duplicate")
    func registry() throws {
        var registry = ConnectorRegistry()
        #expect(registry.all.isEmpty)
        try registry.register(EchoKind())
        try registry.register(EchoKind(name: "echo-two"))
        #expect(registry.order == ["echo", "echo-two"])
        #expect(registry.kind(named: "echo-two")?.name == "echo-two")
        #expect(registry.kind(named: "missing") == nil)
        let error = #expect(throws: ConnectorRegistry.DuplicateKind.self) { try registry.register(EchoKind()) }
        #expect(error?.kind == "echo")
        #expect(registry.order == ["echo", "echo-two"])
        #expect(throws: ConnectorRegistry.DuplicateKind.self) { try ConnectorRegistry([EchoKind(), EchoKind()]) }
    }

    @Test("a kind's declaration drives loading: defaults, env bindings, mode, finalize")
    func loaderUsesTheKind() throws {
        let registry = try ConnectorRegistry([EchoKind()])
        let env = try DotEnvFile(parsing: "FRACTALOPS_LOUD_GREETING=HELLO\n", path: "echo.env")
        let loader = InventoryLoader(registry: registry, environment: EnvironmentLayers(files: [env]))
        let config = try loader.load(
            text: """
                connector_inventory:
                  - name: echo
                    executor_url: http://127.0.0.1:9000
                    auth: {token: env://ECHO_TOKEN}
                  - name: loud
                    kind: echo
                    connector_mode: project
                """, path: "echo.yaml")
        let echo = try #require(config.connector(named: "echo"))
        #expect(echo.kind.name == "echo", "inferred from the name")
        #expect(echo.connectorMode == .poll)
        #expect(echo.string("greeting") == "hello")
        #expect(echo.settings["greeting"]?.source.isDefaultValue == true)
        #expect(echo.publicURL?.description == "http://127.0.0.1:9000", "derived in finalize")
        #expect(echo.credentials.first?.spec.header == "X-Echo-Token")
        #expect(echo.envPrefix == "FRACTALOPS_ECHO_")
        let loud = try #require(config.connector(named: "loud"))
        #expect(loud.connectorMode == .project)
        #expect(loud.string("greeting") == "HELLO")
        #expect(loud.settings["greeting"]?.source == .envFile(name: "FRACTALOPS_LOUD_GREETING", path: "echo.env", line: 1))
    }

    @Test("a kind's own check, modes with no registered implementation and unknown kinds are refused")
    func loaderRefuses() throws {
        let modes = try ModeRegistry([ExecutorMode(.poll), ExecutorMode(.project)])
        let loader = InventoryLoader(registry: try ConnectorRegistry([EchoKind()], modes: modes), environment: EnvironmentLayers())
        let error = #expect(throws: ConfigError.self) {
            try loader.load(
                text: """
                    connector_inventory:
                      - name: echo
                        greeting: goodbye
                      - name: other
                        kind: echo
                        connector_mode: hybrid
                      - name: third
                        kind: ecoh
                      - name: fourth
                    """, path: "echo.yaml")
        }
        let issues = error?.errors ?? []
        let goodbye = issues.first { $0.code == .invalidValue }
        #expect(goodbye?.location == "echo.yaml:3")
        let unregistered = issues.first { $0.code == .unknownMode }
        #expect(unregistered?.connector == "other")
        #expect(unregistered?.location == "echo.yaml:6")
        #expect(unregistered?.fix == "Use one of: poll, project.")
        let unknown = issues.first { $0.code == .unknownKind }
        #expect(unknown?.problem.contains("Did you mean 'echo'?") == true)
        #expect(unknown?.fix.contains("echo") == true)
        let missing = issues.first { $0.code == .requiredKey }
        #expect(missing?.connector == "fourth")
        #expect(missing?.key == "kind")
        #expect(missing?.location == "echo.yaml:9")
    }

    @Test("the env prefix of a connector name")
    func envPrefix() {
        #expect(InventoryLoader.envPrefix(for: "langboard") == "FRACTALOPS_LANGBOARD_")
        #expect(InventoryLoader.envPrefix(for: "status-page") == "FRACTALOPS_STATUS_PAGE_")
        #expect(InventoryLoader.envPrefix(for: "nexus_lab") == "FRACTALOPS_NEXUS_LAB_")
    }

    @Test("the mode registry: every platform mode once, a duplicate refused")
    func modeRegistry() throws {
        let standard = ModeRegistry.standard
        #expect(Set(standard.order) == Set(ConnectorMode.allCases))
        #expect(standard.order.count == ConnectorMode.allCases.count)
        for mode in ConnectorMode.allCases { #expect(standard.behavior(for: mode)?.mode == mode) }
        var registry = try ModeRegistry([ExecutorMode(.poll)])
        let error = #expect(throws: ModeRegistry.DuplicateMode.self) { try registry.register(ExecutorMode(.poll)) }
        #expect(error?.mode == .poll)
        #expect(registry.order == [.poll])
        #expect(registry.behavior(for: .jit) == nil)
    }
}
