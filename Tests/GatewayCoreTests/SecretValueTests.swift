import Testing

@testable import GatewayCore

@Suite("SecretValue")
struct SecretValueTests {
    static let plain = "s3cr3t-Value-7f1d9a"

    @Test("every rendering shows <redacted>, never the value")
    func redacted() {
        let secret = SecretValue(Self.plain)
        let renderings: [String] = [
            "\(secret)",
            String(describing: secret),
            String(reflecting: secret),
            secret.description,
            secret.debugDescription,
            "\([secret])",
            String(describing: Optional(secret)),
            "\(["key": secret])",
            String(reflecting: SecretSource.literal(secret)),
            "\(SettingValue.secret(.literal(secret)))",
        ]
        for text in renderings {
            #expect(!text.contains(Self.plain), "leaked: \(text)")
            #expect(text.contains("redacted"), "\(text)")
        }
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
    }

    @Test("dump() and Mirror show no stored value")
    func dumpAndMirror() {
        let secret = SecretValue(Self.plain)
        var out = ""
        dump(secret, to: &out)
        #expect(out.contains("<redacted>"))
        #expect(!out.contains(Self.plain), "\(out)")
        var nested = ""
        dump(SecretSource.literal(secret), to: &nested)
        dump(Sourced(secret, from: .processEnvironment(name: "X_TOKEN")), to: &nested)
        #expect(!nested.contains(Self.plain), "\(nested)")
        #expect(Mirror(reflecting: secret).children.isEmpty)
    }

    @Test("the value is reachable only through withUnredactedValue")
    func unredacted() {
        let secret = SecretValue(Self.plain)
        #expect(secret.withUnredactedValue { $0 } == Self.plain)
        #expect(!secret.isEmpty)
        #expect(SecretValue("").isEmpty)
        #expect(secret == SecretValue(Self.plain))
        #expect(secret != SecretValue("other"))
        #expect(SecretSource.literal(secret).description == "<redacted literal>")
        #expect(SecretSource.reference(.environment(name: "X")).description == "env://X")
    }
}
