import Foundation
import Testing

@testable import GatewayCore

@Suite("SecretAudit (gateway audit)")
struct SecretAuditTests {
    static let secrets = ["KNOWN-token-1", "KNOWN-pass-2", "KNOWN-key-3", "KNOWN-principal-4"]

    @Test("an env file: sensitive keys with literals and credential URLs, by line; references and switches pass")
    func envFile() throws {
        let text = """
            # comment with token=KNOWN-nothing
            FRACTALOPS_NEXUS_TOKEN=KNOWN-token-1
            FRACTALOPS_LANGBOARD_API_KEY=openbao://secret/connectors/langboard#api_key
            export FRACTALOPS_DATABASE_URL="postgres://app:KNOWN-pass-2@db:5432/app"
            FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true
            FRACTALOPS_PREVIEW_URL=https://preview/?page=1&key=KNOWN-key-3
            FRACTALOPS_LANGBOARD_EXECUTOR_URL=https://10.20.0.15:1002
            FRACTALOPS_DAYTONA_API_KEY=

            """
        let findings = try SecretAudit.audit(env: text, path: "lab.env")
        #expect(findings.map(\.line) == [2, 4, 6])
        #expect(findings.map(\.key) == ["FRACTALOPS_NEXUS_TOKEN", "FRACTALOPS_DATABASE_URL", "FRACTALOPS_PREVIEW_URL"])
        #expect(findings[0].reason == .sensitiveKey)
        #expect(findings[1].reason == .credentialURL([.userinfo]))
        #expect(findings[2].reason == .credentialURL([.parameter("key")]))
        for finding in findings {
            #expect(finding.description.hasPrefix("lab.env:\(finding.line): \(finding.key): "))
            for secret in Self.secrets { #expect(!finding.description.contains(secret)) }
        }
    }

    @Test("an inventory or topology file: key paths name the connector; file:// env:// openbao:// pass")
    func yamlFile() throws {
        let text = """
            runtime_ssot:
              public_url: https://fractalops.example.com
            gateway:
              principals:
                - name: worker
                  token: KNOWN-principal-4
                - name: operator
                  token: env://FRACTALOPS_GATEWAY_OPERATOR_TOKEN
            connector_inventory:
              - name: nexus
                kind: nexus
                scim_base_url: https://u:KNOWN-pass-2@nexus.internal/scim/v2
                auth:
                  token: KNOWN-token-1
                  credential_header: Authorization
              - name: langboard
                auth: {api_key: openbao://secret/connectors/langboard#api_key}
                token_file: /run/secrets/token
                verify_tls: true
            """
        let findings = try SecretAudit.audit(yaml: text, path: "topology.yaml")
        #expect(
            findings.map(\.key) == [
                "gateway.principals[worker].token", "connector_inventory[nexus].scim_base_url", "connector_inventory[nexus].auth.token",
            ])
        #expect(findings.map(\.line) == [6, 12, 14])
        for finding in findings {
            for secret in Self.secrets { #expect(!finding.description.contains(secret)) }
        }
    }

    @Test("a folder is searched for env and YAML files; unreadable and unparsable files are problems, never values")
    func folder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("shared/.git"), withIntermediateDirectories: true)
        try "FRACTALOPS_X_TOKEN=KNOWN-token-1\n".write(to: root.appendingPathComponent("shared/.env"), atomically: true, encoding: .utf8)
        try "password: KNOWN-pass-2\n".write(to: root.appendingPathComponent("shared/values.yaml"), atomically: true, encoding: .utf8)
        try "FRACTALOPS_X_TOKEN=KNOWN-key-3\n".write(to: root.appendingPathComponent("shared/.git/config.env"), atomically: true, encoding: .utf8)
        try "not an env file at all\n".write(to: root.appendingPathComponent("shared/notes.txt"), atomically: true, encoding: .utf8)
        try "KNOWN-principal-4 pasted here\n".write(to: root.appendingPathComponent("broken.env"), atomically: true, encoding: .utf8)
        let result = SecretAudit.run(paths: [root.path, root.appendingPathComponent("missing.env").path])
        #expect(result.files.map { ($0 as NSString).lastPathComponent } == ["broken.env", ".env", "values.yaml"])
        #expect(result.findings.map(\.key) == ["FRACTALOPS_X_TOKEN", "password"])
        #expect(result.problems.map(\.code) == [.dotenvSyntax, .fileUnreadable])
        let text = (result.findings.map(\.description) + result.problems.map(\.description)).joined()
        for secret in Self.secrets { #expect(!text.contains(secret)) }
    }
}
