import Foundation
import Testing

@Suite("gateway commands, run as an operator would")
struct CommandTests {
    @Test func validatePassesOnTheBundledInventoryOutOfTheBox() async throws {
        let result = try await GatewayProcess.run(["validate"])
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stdout.contains("valid (6 connectors"))
    }

    @Test func validateResolvesTheDemoSecrets() async throws {
        let result = try await GatewayProcess.run(["validate", "--env-file", "examples/demo.env", "--resolve-secrets"])
        #expect(result.status == 0, "\(result.all)")
        let missing = try await GatewayProcess.run(["validate", "--resolve-secrets"])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("[secret.unresolved]"))
    }

    @Test func validateExitsOneWithEveryErrorAndTwoForAnUnreadableFile() async throws {
        let scratch = try GatewayProcess.makeScratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inventory = scratch.appendingPathComponent("bad.yaml")
        try """
        connector_inventory:
          - name: langboard
            kind: langboard
            connector_mode: scimm
            vmid: 101
          - name: nexus
            kind: nexus
            connector_mode: scim
        """.write(to: inventory, atomically: true, encoding: .utf8)
        let result = try await GatewayProcess.run(["validate", "--inventory", inventory.path, "--json"])
        #expect(result.status == 1, "\(result.all)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let errors = report?["errors"] as? [[String: Any]] ?? []
        let codes = Set(errors.compactMap { $0["code"] as? String })
        #expect(codes.isSuperset(of: ["mode.unknown", "selector.raw_infra", "mode.scim_without_base"]), "\(codes)")
        #expect(errors.allSatisfy { ($0["location"] as? String)?.contains("bad.yaml:") == true })
        #expect(report?["valid"] as? Bool == false)

        let unreadable = try await GatewayProcess.run(["validate", "--inventory", scratch.appendingPathComponent("nope.yaml").path])
        #expect(unreadable.status == 2)
        let unreadableEnv = try await GatewayProcess.run(["validate", "--env-file", "/nonexistent/.env"])
        #expect(unreadableEnv.status == 2)
    }

    /// A readable `ca_file` that holds no certificate stops `serve`; `validate` says so first.
    @Test func validateRefusesWhatServeWouldRefuseAtStart() async throws {
        let scratch = try GatewayProcess.makeScratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let notPEM = scratch.appendingPathComponent("ca.pem")
        try "not a certificate\n".write(to: notPEM, atomically: true, encoding: .utf8)
        let inventory = scratch.appendingPathComponent("tls.yaml")
        try """
        connector_inventory:
          - {name: lb, kind: http, executor_url: "https://127.0.0.1:9443", ca_file: "\(notPEM.path)"}
        """.write(to: inventory, atomically: true, encoding: .utf8)
        let validate = try await GatewayProcess.run(["validate", "--inventory", inventory.path])
        #expect(validate.status == 1, "\(validate.all)")
        #expect(validate.stdout.contains("connector 'lb'") || validate.stdout.contains("lb"), "\(validate.all)")
        #expect(validate.stdout.contains("ca_file"), "\(validate.all)")
        let serve = try await GatewayProcess.run(["serve", "--inventory", inventory.path, "--listen", "127.0.0.1:0"])
        #expect(serve.status != 0 && serve.all.contains("ca_file"), "\(serve.all)")
    }

    @Test func explainShowsSourcesAndTheModeReason() async throws {
        let result = try await GatewayProcess.run(
            ["explain", "nexus", "--json"], environment: ["FRACTALOPS_NEXUS_HOST_HEADER": "nexus.internal"])
        #expect(result.status == 0, "\(result.all)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let connector = (report?["connectors"] as? [[String: Any]])?.first
        #expect(connector?["connector_mode"] as? String == "scim")
        #expect((connector?["connector_mode_reason"] as? String)?.hasPrefix("override: connector_mode at connectors.yaml:") == true)
        #expect(
            connector?["connector_mode_routing"] as? String
                == "scim_base_url becomes the executor URL; /executor/<name> and /scim/<name> go to it")
        let settings = connector?["settings"] as? [[String: Any]] ?? []
        let host = settings.first { $0["key"] as? String == "host_header" }
        #expect(host?["source"] as? String == "FRACTALOPS_NEXUS_HOST_HEADER from the process environment")
        let executor = settings.first { $0["key"] as? String == "executor_url" }
        #expect((executor?["source"] as? String)?.hasPrefix("derived: scim_base_url (connector_mode=scim)") == true)

        let cliproxy = try await GatewayProcess.run(["explain", "cliproxy"])
        #expect(
            cliproxy.stdout.contains(
                "  websocket paths /v1/responses, /backend-api/codex/responses, /v1/realtime, /v1/ws  (default of kind 'cliproxy')"),
            "\(cliproxy.all)")

        let unknown = try await GatewayProcess.run(["explain", "langbord"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("Did you mean 'langboard'?"))
    }

    @Test(arguments: ["serve", "reload", "validate", "explain", "render-env", "health", "audit"])
    func everyCommandHasHelpWithExamples(command: String) async throws {
        let result = try await GatewayProcess.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:"), "\(result.stdout)")
        #expect(result.stdout.contains("gateway \(command)"))
    }
}
