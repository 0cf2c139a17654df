import Foundation
import Testing

@Suite("gateway audit")
struct AuditCommandTests {
    @Test func theBundledInventoryAndTemplateAreClean() async throws {
        let result = try await GatewayProcess.run(["audit", "connectors.yaml", ".env.example", "examples/lab.overlay.env"])
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stdout == "no literal secrets in 3 files\n")
    }

    @Test func theDemoSecretsAreReportedByLineAndKeyWithoutTheirValues() async throws {
        let result = try await GatewayProcess.run(["audit", "examples/demo.env"])
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stdout.contains("examples/demo.env:3: FRACTALOPS_GATEWAY_WORKER_TOKEN: a sensitive key holds a literal value."))
        #expect(!result.all.contains("demo-worker-token-not-a-secret"))
        #expect(!result.all.contains("not-a-secret"))
        #expect(result.stdout.hasSuffix("(values not shown)\n"))
    }

    @Test func credentialURLsInRenderedFilesAreFoundAndJSONNamesThem() async throws {
        let scratch = try GatewayProcess.makeScratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("values.yaml")
        try "database:\n  url: postgres://app:KNOWN-db-pass@db:5432/app\n  preview: https://p.internal/?access_token=KNOWN-preview\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try await GatewayProcess.run(["audit", "--json", file.path])
        #expect(result.status == 1, "\(result.all)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let findings = document?["findings"] as? [[String: Any]] ?? []
        #expect(findings.map { $0["key"] as? String } == ["database.url", "database.preview"])
        #expect(findings.map { $0["line"] as? Int } == [2, 3])
        #expect((findings.last?["reason"] as? String)?.contains("'access_token'") == true)
        #expect(!result.all.contains("KNOWN-"))
    }

    @Test func anUnreadablePathIsExit2AndTheOthersAreStillReported() async throws {
        let result = try await GatewayProcess.run(["audit", "examples/demo.env", "no/such/file.env"])
        #expect(result.status == 2, "\(result.all)")
        #expect(result.stderr.contains("no/such/file.env"))
        #expect(result.stdout.contains("FRACTALOPS_GATEWAY_WORKER_TOKEN"))
    }
}
