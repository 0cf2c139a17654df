import NIOCore
import Testing

@testable import Connectors
@testable import GatewayCore

/// Nexus in every connector_mode: its SCIM route goes to the SCIM base (also without an
/// executor_url), an executor_url adds the executor route, and the probe always asks the SCIM
/// base's ServiceProviderConfig, through the SCIM route.
@Suite("Nexus in every mode")
struct NexusModeTests {
    static let base = "http://127.0.0.1:9443/scim/v2"
    static let executor = "http://127.0.0.1:9000/nexus-api"

    static func load(mode: ConnectorMode, executor: Bool) throws -> GatewayConfiguration {
        let executorLine = executor ? "    executor_url: \(Self.executor)\n" : ""
        return try TestInventory.load(
            """
            connector_inventory:
              - name: nexus
                kind: nexus
                connector_mode: \(mode)
                scim_base_url: \(Self.base)
            \(executorLine)    auth: {token: env://NEXUS_TOKEN}
            """)
    }

    static func routes(_ configuration: GatewayConfiguration) throws -> RouteTable.Route? {
        var secrets = SecretStore()
        secrets.setForTesting("nexus/auth.token", SecretValue("nx-token"))
        return try RouteTable(configuration: configuration, secrets: secrets, eventLoopCount: 1).routes["nexus"]
    }

    /// The probe's target (`host:port/basePath`) and path.
    static func probe(_ configuration: GatewayConfiguration) async throws -> (String, String)? {
        let plans = await HealthPlanner.plans(configuration: configuration, only: ["nexus"], timeout: 2) { _ in
            SecretValue("nx-token")
        }
        guard case let .http(target, path, healthy)? = plans.first?.action else { return nil }
        #expect(healthy == [200])
        return ("\(target.host):\(target.port)\(target.basePath)", path)
    }

    @Test(
        "without an executor_url: the SCIM route to the SCIM base, no executor route, probe at the base",
        arguments: [ConnectorMode.scim, .scimProjected, .hybrid, .project, .poll, .jit])
    func withoutExecutor(mode: ConnectorMode) async throws {
        let configuration = try Self.load(mode: mode, executor: false)
        guard case let .upstream(routes)? = try Self.routes(configuration) else {
            Issue.record("nexus under \(mode) has no routes")
            return
        }
        #expect(routes.scim.map { "\($0.target.host):\($0.target.port)\($0.target.basePath)" } == ["127.0.0.1:9443/scim/v2"])
        #expect(routes.scim.first?.target.credential?.value.withUnredactedValue { $0 } == "Bearer nx-token")
        // Under scim the base is the executor URL too (the switch); otherwise there is none.
        #expect(routes.executor.count == (mode == .scim ? 1 : 0))
        let probe = try await Self.probe(configuration)
        #expect(probe?.0 == "127.0.0.1:9443/scim/v2")
        #expect(probe?.1 == "/ServiceProviderConfig")
    }

    @Test(
        "with an executor_url: both routes, the probe still at the SCIM base",
        arguments: [ConnectorMode.scimProjected, .hybrid, .project, .poll, .jit])
    func withExecutor(mode: ConnectorMode) async throws {
        let configuration = try Self.load(mode: mode, executor: true)
        guard case let .upstream(routes)? = try Self.routes(configuration) else {
            Issue.record("nexus under \(mode) has no routes")
            return
        }
        #expect(routes.scim.map { "\($0.target.host):\($0.target.port)\($0.target.basePath)" } == ["127.0.0.1:9443/scim/v2"])
        #expect(routes.executor.map { "\($0.target.host):\($0.target.port)\($0.target.basePath)" } == ["127.0.0.1:9000/nexus-api"])
        let probe = try await Self.probe(configuration)
        #expect(probe?.0 == "127.0.0.1:9443/scim/v2", "not the executor_url")
        #expect(probe?.1 == "/ServiceProviderConfig")
        #expect(configuration.warnings.filter { $0.code == .modeWithoutEffect }.isEmpty)
    }

    @Test("under scim an executor_url is replaced by the SCIM base (warning), probe at the base")
    func scimWithExecutor() async throws {
        let configuration = try Self.load(mode: .scim, executor: true)
        #expect(configuration.warnings.contains { $0.code == .executorIgnored })
        guard case let .upstream(routes)? = try Self.routes(configuration) else {
            Issue.record("nexus under scim has no routes")
            return
        }
        #expect(routes.executor.map(\.target.basePath) == ["/scim/v2"])
        #expect(try await Self.probe(configuration)?.0 == "127.0.0.1:9443/scim/v2")
    }

    @Test("ui_only: no route, unconfigured")
    func uiOnly() async throws {
        let configuration = try Self.load(mode: .uiOnly, executor: false)
        guard case .none? = try Self.routes(configuration) else {
            Issue.record("a ui_only nexus has routes")
            return
        }
        let plans = await HealthPlanner.plans(configuration: configuration, only: ["nexus"], timeout: 2) { _ in SecretValue("x") }
        guard case .unconfigured? = plans.first?.action else {
            Issue.record("a ui_only nexus is probed")
            return
        }
    }
}
