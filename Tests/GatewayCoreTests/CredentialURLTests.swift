import Testing

@testable import GatewayCore

@Suite("CredentialURL and LiteralSecret")
struct CredentialURLTests {
    @Test(
        "URLs carrying a credential are found, naming where it sits",
        arguments: [
            ("postgres://app:s3cret@db.internal:5432/app", [CredentialURL.Carrier.userinfo]),
            ("https://ghp_abc@github.com/org/repo.git", [.userinfo]),
            ("https://sandbox.example.com/proxy?token=abc", [.parameter("token")]),
            ("https://host/x?a=1&access_token=abc&api_key=def", [.parameter("access_token"), .parameter("api_key")]),
            ("https://host/v1beta/models?key=abc", [.parameter("key")]),
            ("wss://host/ws?DAYTONA_SANDBOX_AUTH_KEY=abc", [.parameter("DAYTONA_SANDBOX_AUTH_KEY")]),
            ("https://host/cb#access_token=abc&state=1", [.parameter("access_token")]),
            ("https://host/a?auth=abc", [.parameter("auth")]),
            ("https://host/a?api%5Fkey=abc", [.parameter("api_key")]),
            ("redis://:pw@cache:6379/0", [.userinfo]),
        ])
    func carriers(value: String, expected: [CredentialURL.Carrier]) {
        #expect(CredentialURL.carriers(in: value) == expected)
    }

    @Test(
        "plain URLs, references and other text carry nothing",
        arguments: [
            "https://langboard.example.com", "https://host/path@v2", "https://host/a?page=2&sort=name",
            "https://host/a?token=", "https://host/a?token_type=bearer", "openbao://secret/x#token",
            "env://FRACTALOPS_TOKEN", "file:///run/secrets/x", "user@example.com", "not a url", "",
            "https://host/a#section", "ssh://git@github.com/org/repo.git", "postgres://app@db.internal:5432/app",
        ])
    func nothing(value: String) {
        #expect(CredentialURL.carriers(in: value).isEmpty)
    }

    @Test func classify() {
        #expect(LiteralSecret.classify(key: "FRACTALOPS_NEXUS_TOKEN", value: "abc") == .sensitiveKey)
        #expect(LiteralSecret.classify(key: "FRACTALOPS_NEXUS_TOKEN", value: "openbao://secret/x#t") == nil)
        #expect(LiteralSecret.classify(key: "FRACTALOPS_NEXUS_TOKEN", value: "") == nil)
        #expect(LiteralSecret.classify(key: "FRACTALOPS_TOKEN_REQUIRED", value: "true") == nil)
        #expect(LiteralSecret.classify(key: "FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE", value: "true") == nil)
        #expect(LiteralSecret.classify(key: "FRACTALOPS_X_EXECUTOR_URL", value: "https://h") == nil)
        #expect(LiteralSecret.classify(key: "FRACTALOPS_DATABASE_URL", value: "postgres://u:p@db/x") == .credentialURL([.userinfo]))
        #expect(LiteralSecret.classify(key: "CUSTOM", value: "abc", declaredSecret: true) == .sensitiveKey)
    }

    @Test("require-ref refuses a credential-bearing URL in the rendered env, naming the key and the parameter, not the value")
    func renderRefusesCredentialURL() throws {
        let template = try DotEnvFile(parsing: "FRACTALOPS_SANDBOX_PREVIEW_URL=https://preview.internal/?token=KNOWN-url-secret\n", path: "t.env")
        let renderer = EnvRenderer(template: template, overlays: [], requireReferenceForSensitive: true)
        let error = #expect(throws: ConfigError.self) { try renderer.render([]) }
        let issue = try #require(error?.issues.first)
        #expect(issue.code == .literalSecretRefused)
        #expect(issue.location == "t.env:1")
        #expect(issue.description.contains("the parameter 'token'"))
        #expect(!issue.description.contains("KNOWN-url-secret"))
        let relaxed = EnvRenderer(template: template, overlays: [], requireReferenceForSensitive: false)
        #expect(relaxed.literalSecrets(in: relaxed.values(for: [])).map(\.key) == ["FRACTALOPS_SANDBOX_PREVIEW_URL"])
    }
}
