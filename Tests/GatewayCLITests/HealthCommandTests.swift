import Foundation
import Testing

/// `gateway health` as an operator runs it on the bundled inventory, with nothing running.
@Suite("gateway health command")
struct HealthCommandTests {
    static func report(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theBundledInventoryWithNothingRunningFinishesInTimeAndReportsEveryConnector() async throws {
        let result = try await GatewayProcess.run(["health", "--env-file", "examples/demo.env", "--json"])
        let elapsed = result.elapsed
        // connectors.yaml sets health.timeout: 3s; every check runs at once, so the whole run is
        // bounded by one timeout (plus a second for the process), never their sum.
        #expect(elapsed < .seconds(4), "took \(elapsed)")
        #expect(result.status == 1, "\(result.all)")
        let report = try Self.report(result.stdout)
        let connectors = try #require(report["connectors"] as? [[String: Any]])
        #expect(
            connectors.compactMap { $0["name"] as? String }
                == ["langboard", "nexus", "daytona", "cliproxy", "temporal", "status-page"])
        let states: Set<String> = ["ok", "degraded", "skip", "fail", "unconfigured"]
        for connector in connectors {
            #expect(states.contains(connector["state"] as? String ?? ""))
            #expect((connector["reason"] as? String)?.isEmpty == false)
            #expect((connector["steps"] as? [[String: Any]])?.count == 6)
        }
        #expect((report["summary"] as? [String: Int])?["total"] == 6)
        #expect(!result.all.contains("not-a-secret"), "a demo secret value was printed")
    }

    @Test func theTableNamesEveryConnectorAndTheSummary() async throws {
        let result = try await GatewayProcess.run(["health", "--env-file", "examples/demo.env"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("CONNECTOR") == true)
        for name in ["langboard", "nexus", "daytona", "cliproxy", "temporal", "status-page"] {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "\(name) missing")
        }
        #expect(lines.last?.hasPrefix("6 connectors: ") == true)
        #expect(!result.stdout.contains("\u{1B}["), "colour when not a terminal")
    }

    @Test func unresolvableSecretsFailTheirConnectorsAtStepSecretInsteadOfStoppingTheCommand() async throws {
        let result = try await GatewayProcess.run(["health", "--json"])
        #expect(result.status == 1, "\(result.all)")
        let connectors = try #require(try Self.report(result.stdout)["connectors"] as? [[String: Any]])
        let langboard = try #require(connectors.first { $0["name"] as? String == "langboard" })
        #expect(langboard["state"] as? String == "fail")
        #expect(langboard["decided_by"] as? String == "secret")
        #expect((langboard["reason"] as? String)?.contains("FRACTALOPS_DEMO_LANGBOARD_API_KEY") == true)
        // Temporal injects no credential: its check still runs (and finds nothing listening).
        let temporal = try #require(connectors.first { $0["name"] as? String == "temporal" })
        #expect(temporal["decided_by"] as? String != "secret")
    }

    @Test func configurationErrorsExitTwo() async throws {
        let unreadable = try await GatewayProcess.run(["health", "--inventory", "/nonexistent/connectors.yaml"])
        #expect(unreadable.status == 2)
        let unknown = try await GatewayProcess.run(["health", "langbord", "--env-file", "examples/demo.env"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Did you mean 'langboard'?"))
        let badOption = try await GatewayProcess.run(["health", "--fail-on", "never"])
        #expect(badOption.status == 2)
    }

    @Test func helpHasExamples() async throws {
        let result = try await GatewayProcess.run(["health", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains("gateway health"))
        #expect(result.stdout.contains("--fail-on"))
    }

    @Test func askingAReplicaThatIsNotThereIsExit1AndABadURLExit2() async throws {
        let closed = try await GatewayProcess.run(["health", "--url", "http://127.0.0.1:1", "--json"])
        #expect(closed.status == 1, "\(closed.all)")
        let report = try Self.report(closed.stdout)
        let replicas = try #require(report["replicas"] as? [[String: Any]])
        #expect(replicas.first?["state"] as? String == "unreachable")
        #expect((replicas.first?["error"] as? String)?.contains("could not be reached") == true)
        #expect(closed.stderr.contains("replica http://127.0.0.1:1: "))

        let bad = try await GatewayProcess.run(["health", "--url", "gateway-0:8080"])
        #expect(bad.status == 2, "\(bad.all)")
        #expect(bad.stderr.contains("is not an http:// or https:// URL"))
    }
}
