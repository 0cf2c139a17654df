import Foundation
import Testing

/// A known secret value, passed in every way the gateway can receive one, never shows up in
/// anything the commands print or write.
@Suite("secret values never leak")
struct SecretLeakTests {
    static let known = "KNOWN-s3cr3t-value-7f3a9c"

    @Test func noCommandPrintsAKnownSecret() async throws {
        let scratch = try GatewayProcess.makeScratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // 1. Behind an env:// reference, set in an env file and in the process environment.
        let envFile = scratch.appendingPathComponent("demo.env")
        var demo = try String(contentsOf: GatewayProcess.packageRoot.appendingPathComponent("examples/demo.env"), encoding: .utf8)
        demo += "FRACTALOPS_DEMO_LANGBOARD_API_KEY=\(Self.known)\n"
        try demo.write(to: envFile, atomically: true, encoding: .utf8)
        let process = ["FRACTALOPS_DEMO_DAYTONA_API_KEY": Self.known]
        // 2. As a literal in the inventory (allowed with a warning when references are not required).
        let inventory = scratch.appendingPathComponent("connectors.yaml")
        var yaml = try String(contentsOf: GatewayProcess.packageRoot.appendingPathComponent("connectors.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(
            of: "auth: {credential: env://FRACTALOPS_DEMO_STATUS_PAGE_TOKEN}", with: "auth: {credential: \(Self.known)}")
        yaml = yaml.replacingOccurrences(
            of: "examples/ca/internal-ca.pem", with: GatewayProcess.packageRoot.appendingPathComponent("examples/ca/internal-ca.pem").path)
        try yaml.write(to: inventory, atomically: true, encoding: .utf8)

        var outputs: [String] = []
        for arguments in [
            ["validate", "--inventory", inventory.path, "--env-file", envFile.path, "--resolve-secrets"],
            ["validate", "--inventory", inventory.path, "--env-file", envFile.path, "--json"],
            ["explain", "--inventory", inventory.path, "--env-file", envFile.path],
            ["explain", "--inventory", inventory.path, "--env-file", envFile.path, "--json"],
        ] {
            let result = try await GatewayProcess.run(arguments, environment: process)
            #expect(result.status == 0, "\(arguments): \(result.all)")
            outputs.append(result.all)
        }
        #expect(outputs[2].contains("<redacted literal>"))

        // 3. Refused as a literal under require-ref: the error names the key, never the value.
        let refused = try await GatewayProcess.run(
            ["validate", "--inventory", inventory.path, "--env-file", envFile.path],
            environment: ["FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE": "true"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("auth.credential"))
        outputs.append(refused.all)

        // 4. In malformed places: a bad reference, a pasted bare secret line, a bad boolean.
        let bad = scratch.appendingPathComponent("bad.env")
        try "\(Self.known)\nFRACTALOPS_NEXUS_TOKEN=\"\(Self.known)\" trailing\n".write(to: bad, atomically: true, encoding: .utf8)
        outputs.append(try await GatewayProcess.run(["validate", "--env-file", bad.path]).all)
        outputs.append(
            try await GatewayProcess.run(
                ["validate"], environment: ["FRACTALOPS_NEXUS_TOKEN": "vault://\(Self.known)"]
            ).all)
        outputs.append(
            try await GatewayProcess.run(
                ["validate"], environment: ["FRACTALOPS_NEXUS_TOKEN": "openbao://\(Self.known)"]
            ).all)

        // 5. render-env writes references, not the values they resolve to.
        let output = scratch.appendingPathComponent("out.env")
        let render = try await GatewayProcess.run(
            ["render-env", "connectors.yaml", "--template", ".env.example", "--output", output.path],
            environment: ["FRACTALOPS_DEMO_LANGBOARD_API_KEY": Self.known])
        #expect(render.status == 0, "\(render.all)")
        outputs.append(render.all)
        let rendered = try String(contentsOf: output, encoding: .utf8)
        #expect(rendered.contains("FRACTALOPS_LANGBOARD_API_KEY=env://FRACTALOPS_DEMO_LANGBOARD_API_KEY"))
        outputs.append(rendered)

        for (index, output) in outputs.enumerated() {
            #expect(!output.contains(Self.known), "output \(index) leaks the secret:\n\(output)")
        }
    }
}
