/// Authenticates inbound callers by their bearer token, comparing in constant time, and by their
/// client certificate and Pomerium assertion (`PrincipalDirectory+Authentication.swift`).
package struct PrincipalDirectory: Sendable {
    struct Entry: Sendable {
        var principal: Principal
        var token: [UInt8]
    }

    let entries: [Entry]
    /// Principals matched by a client certificate, in inventory order.
    let certificateEntries: [CertificateEntry]
    /// Principals matched by a Pomerium identity, in inventory order.
    let pomeriumEntries: [PomeriumEntry]

    package init(principals: [Principal], secrets: SecretStore) {
        entries = principals.compactMap { principal in
            guard let token = secrets.principalToken(principal.name), !token.isEmpty else { return nil }
            return Entry(principal: principal, token: token.withUnredactedValue { Array($0.utf8) })
        }
        certificateEntries = principals.compactMap { principal in
            principal.certificate.map { CertificateEntry(principal: principal, match: $0) }
        }
        pomeriumEntries = principals.compactMap { principal in
            principal.pomerium.map { PomeriumEntry(principal: principal, match: $0) }
        }
    }

    package var isEmpty: Bool { entries.isEmpty && certificateEntries.isEmpty && pomeriumEntries.isEmpty }

    /// The principal whose token is `presented`, or nil. Every configured token is compared in
    /// full whatever the outcome, so timing tells nothing about which one (or how much) matched.
    package func authenticate(_ presented: Substring) -> Principal? {
        let candidate = Array(presented.utf8)
        var match: Principal?
        for entry in entries where Self.constantTimeEqual(candidate, entry.token) {
            match = entry.principal
        }
        return match
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        if a.count != b.count { difference |= 1 }
        let length = max(a.count, b.count)
        for index in 0..<length {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
