import Testing

@testable import Connectors
@testable import GatewayCore

/// Modes are registered by connector_mode and composed with the kind: every kind accepts every
/// mode the platform allows but runtime_gateway (runtime gateways only), and a combination that
/// changes nothing for the kind loads with a warning saying what will happen.
@Suite("connector modes composed with kinds")
struct ModeCompositionTests {
    static let kinds = ConnectorCatalog.kinds.map(\.name)
    static let modes = ConnectorMode.allCases.filter { $0 != .runtimeGateway }

    /// The pairs that change nothing: no SCIM API under scim, no projected SCIM under scim_projected.
    static let withoutEffect: Set<String> = [
        "daytona/scim", "cliproxy/scim", "temporal/scim",
        "daytona/scim_projected", "cliproxy/scim_projected", "temporal/scim_projected", "http/scim_projected",
    ]

    static func yaml(kind: String, mode: ConnectorMode) -> String {
        var lines = ["connector_inventory:", "  - name: c", "    kind: \(kind)", "    connector_mode: \(mode)"]
        if kind == "temporal" {
            lines += ["    executor_address: 127.0.0.1:7233", "    listen: 127.0.0.1:7234"]
        } else {
            lines.append("    scim_base_url: https://127.0.0.1:9443/scim/v2")
            if mode != .uiOnly { lines.append("    executor_url: https://127.0.0.1:1002") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("every kind accepts every mode but runtime_gateway", arguments: kinds, modes)
    func accepted(kind: String, mode: ConnectorMode) throws {
        let config = try #require(expectLoads(Self.yaml(kind: kind, mode: mode)))
        let connector = try #require(config.connector(named: "c"))
        #expect(connector.connectorMode == mode)
        #expect(connector.modeBehavior.mode == mode)
        let notes = config.warnings.filter { $0.code == .modeWithoutEffect }
        #expect(notes.count == (Self.withoutEffect.contains("\(kind)/\(mode)") ? 1 : 0), "\(notes)")
        for note in notes {
            #expect(note.key == "connector_mode")
            #expect(location(note.location, names: "connectors.yaml:4"))
        }
        switch (mode, connector.machineRoute) {
        case (.uiOnly, .none),
            (_, .tcp) where kind == "temporal", (_, .http) where kind != "temporal":
            break
        default:
            Issue.record("\(kind)/\(mode): machine route \(connector.machineRoute)")
        }
    }

    @Test(
        "scim switches the executor URL to the SCIM base for any kind that serves SCIM",
        arguments: ["langboard", "http", "nexus"])
    func scimSwitch(kind: String) throws {
        let config = try #require(expectLoads(Self.yaml(kind: kind, mode: .scim)))
        let connector = try #require(config.connector(named: "c"))
        #expect(connector.executorURL?.description == "https://127.0.0.1:9443/scim/v2")
        let routes = connector.kind.routes(for: connector)
        #expect(Set(routes.map(\.family)) == [.executor, .scim])
        #expect(routes.allSatisfy { $0.upstream.description == "https://127.0.0.1:9443/scim/v2" })
    }

    @Test("Langboard under scim talks to the SCIM base with its SCIM token, not its API key")
    func langboardSCIMCredential() throws {
        let config = try #require(expectLoads(Self.yaml(kind: "langboard", mode: .scim)))
        let connector = try #require(config.connector(named: "c"))
        #expect(connector.kind.routes(for: connector).map(\.credentialKey) == ["scim_token", "scim_token"])
    }

    @Test("ui_only on a TCP kind opens no listener")
    func temporalUIOnly() throws {
        let config = try #require(expectLoads(Self.yaml(kind: "temporal", mode: .uiOnly)))
        guard case let .none(reason)? = config.connector(named: "c")?.machineRoute else {
            Issue.record("a ui_only Temporal connector has a machine route")
            return
        }
        #expect(reason.contains("ui_only"))
    }

    @Test(
        "what a meaningless combination will do is said",
        arguments: [
            ("temporal", ConnectorMode.scim, "TCP pass-through"),
            ("daytona", .scim, "has no SCIM API"),
            ("cliproxy", .scimProjected, "only /executor/c is routed, as under project"),
        ])
    func noteText(kind: String, mode: ConnectorMode, text: String) throws {
        let config = try #require(expectLoads(Self.yaml(kind: kind, mode: mode)))
        let note = try #require(config.warnings.first { $0.code == .modeWithoutEffect })
        #expect(note.problem.contains(text), "\(note.problem)")
        #expect(note.description.contains("warning [mode.no_effect]"))
    }
}
