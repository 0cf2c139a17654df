import Foundation
import FoundationEssentials
import Testing

@testable import Connectors
@testable import GatewayCore

/// A connector kind that exists only in this test target: GitLab's REST API, authenticated by a
/// `PRIVATE-TOKEN` header, probed at `GET /api/v4/version`. Adding it takes this file alone, no
/// change to GatewayCore: the plugin boundary is what a kind declares (credentials, options,
/// probe, routes), and core reads those values, never a kind's option by name.
struct GitLabKind: ConnectorKind {
    let name = "gitlab"
    let summary = "GitLab REST API (PRIVATE-TOKEN), a kind the tests add"
    let defaultMode: ConnectorMode = .project
    let credentials = [CredentialSpec(key: "token", header: "PRIVATE-TOKEN", required: true)]
    let options = [
        SettingSpec(
            "api_version", .choice(["v3", "v4"]), env: .suffix("API_VERSION"), default: .string("v4"),
            summary: "the REST API version the probe asks for")
    ]

    func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .http(path: "/api/\(connector.string("api_version") ?? "v4")/version", healthy: [200])
    }
}

@Suite("a connector kind added by the tests alone")
struct TestOnlyKindTests {
    /// The shipped kinds and this one (registering a name twice would throw).
    static let registry: ConnectorRegistry = {
        var registry = ConnectorCatalog.registry()
        do { try registry.register(GitLabKind()) } catch { fatalError("\(error)") }
        return registry
    }()

    static let yaml = """
        gateway:
          principals:
            - {name: worker, token: env://T, connectors: [gitlab]}
        connector_inventory:
          - name: gitlab
            kind: gitlab
            executor_url: https://127.0.0.1:8929
            host_header: gitlab.internal
            auth: {token: env://GITLAB_TOKEN}
        """

    static func load(_ yaml: String = yaml) throws(ConfigError) -> GatewayConfiguration {
        try InventoryLoader(registry: registry, environment: EnvironmentLayers(files: [], process: ["GITLAB_TOKEN": "glpat-test"]))
            .load(text: yaml, path: "connectors.yaml", baseDirectory: TestInventory.packageRoot.path)
    }

    @Test func itsRouteInjectsItsTokenHeaderAndDropsTheCallers() throws {
        let configuration = try Self.load()
        var secrets = SecretStore()
        secrets.setForTesting("gitlab/auth.token", SecretValue("glpat-test-token"))
        let table = try RouteTable(configuration: configuration, secrets: secrets, eventLoopCount: 1)
        let route = try #require(ConnectorRoutesTests.connectorRoutes(table, "gitlab")?.executor.first)
        #expect(route.target.credential?.name == "PRIVATE-TOKEN")
        #expect(route.target.credential?.value.withUnredactedValue { $0 } == "glpat-test-token")
        #expect(route.target.removedRequestHeaders.isSuperset(of: ["private-token", "authorization"]))
        #expect(route.target.hostHeader == "gitlab.internal")
    }

    @Test func itsProbeIsItsOwnPathThroughTheSameRoute() throws {
        let configuration = try Self.load()
        let table = try RouteTable(configuration: configuration, secrets: SecretStore(), eventLoopCount: 1)
        let plan = try #require(HealthPlanner.plans(configuration: configuration, routes: table).first)
        guard case let .http(target, path, healthy) = plan.action else {
            Issue.record("expected an HTTP probe, got \(plan.action)")
            return
        }
        #expect(path == "/api/v4/version" && healthy == [200] && target.port == 8929)
        let v3 = try Self.load(Self.yaml + "\n    api_version: v3")
        guard
            case let .http(_, v3Path, _)? = HealthPlanner.plans(
                configuration: v3, routes: try RouteTable(configuration: v3, secrets: SecretStore(), eventLoopCount: 1)
            ).first?.action
        else {
            Issue.record("expected an HTTP probe")
            return
        }
        #expect(v3Path == "/api/v3/version")
    }

    @Test func validateAndExplainKnowItLikeAShippedKind() throws {
        let explained = ExplainReport(try Self.load()).text
        #expect(explained.contains("[kind gitlab: GitLab REST API (PRIVATE-TOKEN), a kind the tests add]"))
        #expect(explained.contains("FRACTALOPS_GITLAB_API_VERSION") || explained.contains("api_version"))
        do {
            _ = try Self.load(Self.yaml + "\n    api_verison: v4")
            Issue.record("a misspelled option was accepted")
        } catch {
            #expect(error.errors.contains { $0.key == "api_verison" && $0.problem.contains("api_version") }, "\(error)")
        }
        do {
            _ = try Self.load(Self.yaml.replacingOccurrences(of: "    auth: {token: env://GITLAB_TOKEN}", with: ""))
            Issue.record("the required token was not asked for")
        } catch {
            #expect(error.errors.contains { $0.key == "auth.token" }, "\(error)")
        }
    }
}
