import Testing

@testable import GatewayCore

/// `FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true` holds through `env://` too: a secret value
/// written in an env file is a literal, refused naming the reference's place and key.
@Suite("require-ref through env://")
struct RequireReferenceTests {
    static let inventory = """
        connector_inventory:
          - name: echo
            executor_url: http://127.0.0.1:9000
            auth: {token: "env://T"}
        """

    static func resolve(files: [DotEnvFile], process: [String: String] = [:]) async throws(ConfigError) -> SecretStore {
        let registry = try! ConnectorRegistry([EchoKind()])
        let configuration = try InventoryLoader(
            registry: registry, environment: EnvironmentLayers(files: files, process: process)
        ).load(text: inventory, path: "echo.yaml")
        let local = LocalSecretResolver(environment: configuration.environment, baseDirectory: "/")
        return try await SecretStore.resolve(configuration) { reference in try local.resolve(reference) }
    }

    @Test func aLiteralReachedThroughAnEnvFileIsRefused() async throws {
        let file = try DotEnvFile(parsing: "FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true\nT=sk-literal-5678\n", path: "gen.env")
        do {
            _ = try await Self.resolve(files: [file])
            Issue.record("a literal in an env file was accepted under require-ref")
        } catch {
            let issue = try #require(error.errors.first)
            #expect(issue.code == .literalSecretRefused)
            #expect(issue.connector == "echo" && issue.key == "auth.token")
            #expect(issue.problem.contains("gen.env:2"))
            #expect(!"\(error)".contains("sk-literal-5678"))
        }
    }

    @Test func theSameVariableInjectedIntoTheProcessResolves() async throws {
        let file = try DotEnvFile(parsing: "FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true\n", path: "gen.env")
        let store = try await Self.resolve(files: [file], process: ["T": "injected"])
        #expect(store.credential(connector: "echo", key: "auth.token")?.withUnredactedValue { $0 } == "injected")
    }
}
