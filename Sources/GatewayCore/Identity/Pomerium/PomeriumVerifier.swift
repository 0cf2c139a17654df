import Foundation
import JWTKit

/// Verifies an `X-Pomerium-Jwt-Assertion` without I/O, on the request's event loop: the JOSE
/// header (ES256 or RS256 only, a `kid` of the cached JWKS), the signature (jwt-kit's ECDSA and
/// RSA verifiers), then `iss`, `aud`, `exp`, `nbf`, `iat` with `leeway`. Fails closed: without
/// trusted keys nothing verifies.
struct PomeriumVerifier: Sendable {
    let settings: PomeriumSettings
    let keys: PomeriumKeySet

    init(settings: PomeriumSettings, keys: PomeriumKeySet) {
        self.settings = settings
        self.keys = keys
    }

    static let algorithms: Set<String> = ["ES256", "RS256"]

    enum Outcome: Sendable, Equatable {
        case verified(PomeriumIdentity)
        /// 401: why, as a whole sentence (never the assertion itself).
        case refused(String)
    }

    func verify(_ assertion: String, now: Date = Date()) -> Outcome {
        func refuse(_ reason: String) -> Outcome { .refused("The Pomerium assertion (X-Pomerium-Jwt-Assertion) is refused: \(reason).") }
        let parts = assertion.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return refuse("it is not a compact JWS (three base64url parts)") }
        guard let headerBytes = Self.base64URLDecode(parts[0]),
            let header = try? JSONDecoder().decode(PomeriumHeader.self, from: headerBytes)
        else { return refuse("its header does not decode") }
        guard let alg = header.alg, Self.algorithms.contains(alg) else {
            return refuse("its algorithm '\(header.alg ?? "none")' is not accepted (ES256 or RS256 only)")
        }
        if let crit = header.crit, !crit.isEmpty { return refuse("it names critical header parameters the gateway does not understand") }
        guard let kid = header.kid else { return refuse("its header names no key (kid)") }
        let key: PomeriumKeySet.Key
        switch keys.key(for: kid, now: now, maxStale: settings.maxStale, url: settings.jwksURL) {
        case let .key(found): key = found
        case let .unavailable(reason): return refuse(reason)
        case .unknownKID:
            keys.requestRefresh()
            return refuse("its key id '\(Self.printable(kid))' is not in the Pomerium JWKS (a refresh was requested)")
        }
        guard key.algorithm == alg else { return refuse("its algorithm \(alg) is not the algorithm of key '\(Self.printable(kid))'") }
        guard let signature = Self.base64URLDecode(parts[2]) else { return refuse("its signature does not decode") }
        let signingInput = Array(assertion.utf8[..<parts[1].endIndex])
        guard (try? key.verifier.verify(signature, signs: signingInput)) == true else {
            return refuse("its signature does not verify with key '\(Self.printable(kid))'")
        }
        guard let payload = Self.base64URLDecode(parts[1]), let claims = try? JSONDecoder().decode(PomeriumClaims.self, from: payload) else {
            return refuse("its claims do not decode")
        }
        guard claims.iss == settings.issuer else {
            return refuse("its issuer '\(Self.printable(claims.iss ?? ""))' is not identity.pomerium.issuer")
        }
        guard claims.aud.contains(settings.audience) else {
            return refuse("its audience does not include identity.pomerium.audience '\(settings.audience)'")
        }
        let time = now.timeIntervalSince1970
        guard let exp = claims.exp else { return refuse("it has no expiry (exp)") }
        if time > exp + settings.leeway { return refuse("it expired \(Int(time - exp)) s ago") }
        if let nbf = claims.nbf, time + settings.leeway < nbf { return refuse("it is not valid before \(Int(nbf - time)) s from now (nbf)") }
        if let iat = claims.iat, time + settings.leeway < iat { return refuse("it was issued in the future (iat)") }
        return .verified(PomeriumIdentity(email: claims.email, groups: claims.groups, subject: claims.sub))
    }

    /// At most 64 printable ASCII characters of a caller-controlled value, for messages.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(64).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }

    static func base64URLDecode(_ part: Substring.UTF8View.SubSequence) -> Data? {
        var text = String(decoding: part, as: UTF8.self).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        guard !text.contains("=") else { return nil }
        while text.utf8.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }
}
