import Foundation
import JWTKit
import Testing

@testable import GatewayCore

/// Pomerium assertions verified without I/O: the signature with the cached JWKS key, then
/// issuer, audience and times with leeway; fail closed without trusted keys.
@Suite("Pomerium verifier")
struct PomeriumVerifierTests {
    struct Claims: JWTPayload {
        var iss = "authenticate.example"
        var aud = "gateway.example"
        var exp: Int
        var iat: Int
        var nbf: Int?
        var email = "ops@example.com"
        var groups = ["platform-operators"]
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static let now = Date(timeIntervalSince1970: 1_900_000_000)
    static let url = try! EndpointURL(parsing: "https://authenticate.example/.well-known/pomerium/jwks.json")
    static let settings = PomeriumSettings(issuer: "authenticate.example", jwksURL: url, audience: "gateway.example")

    /// A signer and a key set holding its public key under `kid`, fetched at `fetchedAt`.
    static func fixture(fetchedAt: Date? = now) async throws -> (sign: (Claims) async throws -> String, keys: PomeriumKeySet) {
        let privateKey = ES256PrivateKey()
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: privateKey, kid: "k1")
        let verifying = JWTKeyCollection()
        await verifying.add(ecdsa: privateKey.publicKey, kid: "k1")
        let keys = PomeriumKeySet()
        if let fetchedAt {
            keys.install(["k1": .init(algorithm: "ES256", verifier: try await verifying.getKey(for: "k1"))], at: fetchedAt)
        }
        return ({ claims in try await signer.sign(claims, kid: "k1") }, keys)
    }

    static func claims(_ change: (inout Claims) -> Void = { _ in }) -> Claims {
        let time = Int(now.timeIntervalSince1970)
        var claims = Claims(exp: time + 300, iat: time)
        change(&claims)
        return claims
    }

    static func outcome(_ token: String, keys: PomeriumKeySet, at date: Date = now, settings: PomeriumSettings = settings) -> String {
        switch PomeriumVerifier(settings: settings, keys: keys).verify(token, now: date) {
        case let .verified(identity): "verified \(identity.email ?? "-") \(identity.groups)"
        case let .refused(reason): reason
        }
    }

    @Test func aValidAssertionGivesTheIdentity() async throws {
        let (sign, keys) = try await Self.fixture()
        #expect(Self.outcome(try await sign(Self.claims()), keys: keys) == "verified ops@example.com [\"platform-operators\"]")
    }

    @Test func claimsAreCheckedWithLeeway() async throws {
        let (sign, keys) = try await Self.fixture()
        let time = Int(Self.now.timeIntervalSince1970)
        #expect(Self.outcome(try await sign(Self.claims { $0.iss = "evil" }), keys: keys).contains("issuer 'evil'"))
        #expect(Self.outcome(try await sign(Self.claims { $0.aud = "other" }), keys: keys).contains("audience"))
        #expect(Self.outcome(try await sign(Self.claims { $0.exp = time - 60 }), keys: keys).contains("expired 60 s ago"))
        #expect(Self.outcome(try await sign(Self.claims { $0.exp = time - 10 }), keys: keys).hasPrefix("verified"))  // within 30 s
        #expect(Self.outcome(try await sign(Self.claims { $0.nbf = time + 120 }), keys: keys).contains("not valid before"))
        #expect(Self.outcome(try await sign(Self.claims { $0.iat = time + 120 }), keys: keys).contains("issued in the future"))
    }

    @Test func aTamperedPayloadOrAnotherAlgorithmIsRefused() async throws {
        let (sign, keys) = try await Self.fixture()
        let token = try await sign(Self.claims { $0.email = "someone@example.com" })
        let parts = token.split(separator: ".").map(String.init)
        let forged = Data(#"{"iss":"authenticate.example","aud":"gateway.example","exp":1900000300,"email":"ops@example.com"}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        #expect(Self.outcome([parts[0], forged, parts[2]].joined(separator: "."), keys: keys).contains("signature does not verify"))
        let none = Data(#"{"alg":"none","kid":"k1"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        #expect(Self.outcome("\(none).\(parts[1]).", keys: keys).contains("'none' is not accepted"))
        #expect(Self.outcome("a.b", keys: keys).contains("compact JWS"))
    }

    @Test func withoutTrustedKeysNothingVerifies() async throws {
        let (sign, empty) = try await Self.fixture(fetchedAt: nil)
        let token = try await sign(Self.claims())
        empty.failed("connection refused")
        let reason = Self.outcome(token, keys: empty)
        #expect(reason.contains("has not been fetched (connection refused) and no key is cached"))
        let (signStale, stale) = try await Self.fixture(fetchedAt: Self.now.addingTimeInterval(-7200))
        #expect(Self.outcome(try await signStale(Self.claims()), keys: stale).contains("no longer trusted"))
        // Within max_stale the cached key still verifies.
        let then = Int(Self.now.timeIntervalSince1970) - 5000
        let earlier = try await signStale(
            Self.claims {
                $0.iat = then
                $0.exp = then + 300
            })
        #expect(Self.outcome(earlier, keys: stale, at: Self.now.addingTimeInterval(-5000)).hasPrefix("verified"))
    }

    @Test func anIdentityMapsToOnePrincipalAndMustAgreeWithAToken() {
        var store = SecretStore()
        store.setForTesting("principal/worker", SecretValue("worker-token"))
        let token = Sourced(SecretSource.reference(.environment(name: "T")), from: .defaultValue(nil))
        let directory = PrincipalDirectory(
            principals: [
                Principal(name: "worker", location: "x:1", token: token, connectors: ["*"], permissions: []),
                Principal(
                    name: "operator", location: "x:2", token: nil, connectors: ["*"], permissions: [],
                    pomerium: PomeriumMatch(emails: ["OPS@example.com"])),
            ], secrets: store)
        let identity = PomeriumIdentity(email: "ops@EXAMPLE.com", groups: [], subject: nil)
        func outcome(_ token: Substring?, _ pomerium: PomeriumVerifier.Outcome) -> String {
            switch directory.authenticate(token: token, certificate: nil, pomerium: pomerium) {
            case let .authenticated(principal, method): "\(principal.name) by \(method.rawValue)"
            case let .refused(detail): detail
            }
        }
        #expect(outcome(nil, .verified(identity)) == "operator by pomerium")
        #expect(outcome("worker-token", .verified(identity)).contains("principal 'worker' but the Pomerium assertion is principal 'operator'"))
        #expect(outcome("worker-token", .refused("bad")) == "bad")
        #expect(outcome(nil, .verified(PomeriumIdentity(email: "x@example.com", groups: ["g"], subject: nil))).contains("matches no principal"))
    }
}
