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
        authenticate(bytes: presented.utf8)
    }

    /// `authenticate(_:)` for a token's bytes where they lie (the request head's).
    func authenticate(bytes presented: some Collection<UInt8>) -> Principal? {
        var match: Principal?
        for entry in entries where Self.constantTimeEqual(presented, entry.token) {
            match = entry.principal
        }
        return match
    }

    /// Every byte of the longer of the two is looked at, whatever differs first.
    static func constantTimeEqual(_ a: some Collection<UInt8>, _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        var index = 0
        for x in a {
            difference |= x ^ (index < b.count ? b[index] : 0)
            index += 1
        }
        while index < b.count {
            difference |= b[index]
            index += 1
        }
        return difference == 0
    }
}
