import Testing

@testable import GatewayCore

@Suite("SecretReference")
struct SecretReferenceTests {
    @Test(
        "parses the three schemes",
        arguments: [
            (
                "openbao://secret/connectors/langboard#api_key",
                SecretReference.openBao(mount: "secret", path: "connectors/langboard", field: "api_key", version: nil)
            ),
            ("openbao://kv/a#f", .openBao(mount: "kv", path: "a", field: "f", version: nil)),
            (
                "openbao://secret/connectors/nexus?version=3#scim_token",
                .openBao(mount: "secret", path: "connectors/nexus", field: "scim_token", version: 3)
            ),
            (
                "openbao://secret/connectors/nexus#scim_token?version=12",
                .openBao(mount: "secret", path: "connectors/nexus", field: "scim_token", version: 12)
            ),
            ("env://FRACTALOPS_DEMO_LANGBOARD_API_KEY", .environment(name: "FRACTALOPS_DEMO_LANGBOARD_API_KEY")),
            ("env://_x1", .environment(name: "_x1")),
            ("file:///run/secrets/langboard", .file(path: "/run/secrets/langboard")),
            ("file://secrets/token.txt", .file(path: "secrets/token.txt")),
        ])
    func parses(text: String, expected: SecretReference) throws {
        let reference = try SecretReference(parsing: text)
        #expect(reference == expected)
        #expect(try SecretReference(parsing: reference.description) == reference, "the description parses back")
    }

    @Test("the description puts ?version after the field")
    func description() throws {
        let reference = try SecretReference(parsing: "openbao://secret/a/b?version=2#f")
        #expect(reference.description == "openbao://secret/a/b#f?version=2")
    }

    @Test(
        "refuses unknown schemes",
        arguments: [
            ("vault://secret/connectors/langboard#api_key", "vault"),
            ("https://bao.example/v1/secret#x", "https"),
            ("OPENBAO://secret/a#b", "OPENBAO"),
            ("literal-value", "literal-value"),
        ])
    func unknownScheme(text: String, scheme: String) {
        #expect(throws: SecretReference.ParseError.unknownScheme(scheme)) { try SecretReference(parsing: text) }
    }

    @Test(
        "refuses malformed references",
        arguments: [
            "openbao://secret#x",  // no path
            "openbao://secret/connectors/cliproxy",  // no #field
            "openbao:///connectors/x#f",  // empty mount
            "openbao://secret/#f",  // empty path
            "openbao://secret/a/#f",  // trailing slash
            "openbao://secret/a//b#f",  // empty segment
            "openbao://secret/a#",  // empty field
            "openbao://secret/a#f/g",  // field with '/'
            "openbao://secret/a#f#g",  // two fields
            "openbao://secret/a#f?version=0",  // version not positive
            "openbao://secret/a#f?version=latest",
            "openbao://secret/a?version=#f",
            "openbao://secret/a?v=1#f",  // another query
            "openbao://",
            "env://",
            "env://1ABC",
            "env://A-B",
            "env://A B",
            "file://",
        ])
    func malformed(text: String) {
        let error = #expect(throws: SecretReference.ParseError.self) { try SecretReference(parsing: text) }
        guard case .malformed(let why)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(!why.isEmpty)
    }

    @Test("looksLikeReference: a scheme:// prefix, valid or not")
    func looksLikeReference() {
        for text in ["openbao://x", "env://X", "file://x", "vault://x", "s3+https://x", "a-b://"] {
            #expect(SecretReference.looksLikeReference(text), "\(text)")
        }
        for text in ["", "plain", "://x", "a b://x", "tok:en", "pass//word", "_x://y"] {
            #expect(!SecretReference.looksLikeReference(text), "\(text)")
        }
    }

    @Test("the error messages name the allowed schemes and shapes")
    func messages() {
        #expect(SecretReference.ParseError.unknownScheme("vault").description.contains("openbao://, env://, file://"))
        #expect(SecretReference.ParseError.malformed("why").description == "why")
    }
}
