import Foundation
import Testing

@Suite("gateway render-env")
struct RenderEnvTests {
    @Test func rendersTheBundledInventoryIdempotentlyAndTheResultValidates() async throws {
        let scratch = try GatewayProcess.makeScratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("env.generated").path
        let arguments = [
            "render-env", "connectors.yaml", "--template", ".env.example",
            "--overlay", "examples/lab.overlay.env", "--output", output,
        ]
        let first = try await GatewayProcess.run(arguments)
        #expect(first.status == 0, "\(first.all)")
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: output))
        let second = try await GatewayProcess.run(arguments)
        #expect(second.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == firstBytes, "rendering twice must give the same bytes")

        let text = String(decoding: firstBytes, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        // The template's comments stay, in order, and the selectors come first.
        #expect(lines.first == "# Template of the generated env (gateway render-env keeps these comments and this order).")
        #expect(lines.firstIndex(of: "FRACTALOPS_RUNTIME_ASSET_ID=connector-gateway")! < lines.firstIndex { $0.hasPrefix("FRACTALOPS_LANGBOARD_") }!)
        #expect(lines.contains("FRACTALOPS_NEXUS_URL=https://127.0.0.1:9443"))
        #expect(lines.contains("FRACTALOPS_NEXUS_SCIM_BASE_URL=https://127.0.0.1:9443/scim/v2"))
        #expect(lines.contains("FRACTALOPS_TEMPORAL_EXECUTOR_ADDRESS=temporal-frontend.temporal.svc.cluster.local:7233"))
        #expect(lines.contains("FRACTALOPS_LANGBOARD_EXECUTOR_URL=https://langboard-executor.lab.internal:1002"))
        #expect(!FileManager.default.fileExists(atPath: output + ".tmp"))

        // The generated env, used as an env file, validates and changes nothing it should not.
        let validate = try await GatewayProcess.run(["validate", "--env-file", output])
        #expect(validate.status == 0, "\(validate.all)")
    }

    @Test func refusesLiteralSecretsWhenReferencesAreRequired() async throws {
        let scratch = try GatewayProcess.makeScratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let overlay = scratch.appendingPathComponent("secrets.env")
        try "FRACTALOPS_LANGBOARD_API_KEY=sk-literal-value-that-must-not-print\n".write(to: overlay, atomically: true, encoding: .utf8)
        let output = scratch.appendingPathComponent("out.env").path
        let result = try await GatewayProcess.run(
            ["render-env", "connectors.yaml", "--template", ".env.example", "--overlay", overlay.path, "--output", output],
            environment: ["FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE": "true"])
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.contains("secret.literal_refused"))
        #expect(result.stderr.contains("auth.api_key"))
        #expect(!result.all.contains("sk-literal-value-that-must-not-print"))
        #expect(!FileManager.default.fileExists(atPath: output), "nothing is written when rendering fails")
    }
}
