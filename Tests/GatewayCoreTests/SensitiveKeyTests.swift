import Testing

@testable import GatewayCore

@Suite("SensitiveKey")
struct SensitiveKeyTests {
    @Test(
        "sensitive names",
        arguments: [
            "token", "api_key", "X_API_KEY", "apiKey", "scimToken", "client-secret", "FRACTALOPS_NEXUS_TOKEN",
            "password", "DB_PASSWD", "ssh_passphrase", "private_key", "privateKey", "auth.api_key", "credential",
            "AWS_ACCESS_KEY_ID", "auth_key", "bearer", "Cookie", "session_key", "signing-key", "management_key_secret",
        ])
    func sensitive(name: String) {
        #expect(SensitiveKey.isSensitive(name))
    }

    @Test(
        "ordinary names",
        arguments: [
            "executor_url", "host_header", "verify_tls", "ca_file", "name", "kind", "runtime_asset.id", "listen",
            "FRACTALOPS_LANGBOARD_EXECUTOR_URL", "keyboard", "monkey", "public_url", "scim_base_url", "",
        ])
    func ordinary(name: String) {
        #expect(!SensitiveKey.isSensitive(name))
    }
}
