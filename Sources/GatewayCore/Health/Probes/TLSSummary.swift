import Foundation

/// What the TLS step learned about the executor's certificate.
package struct TLSSummary: Sendable, Hashable {
    /// True when the certificate chain and name were verified (verify_tls: true).
    package var verified: Bool
    /// The name sent in SNI and checked against the certificate; nil when dialling an address.
    package var serverName: String?
    /// Negotiated protocol version, e.g. `TLSv1.3`.
    package var version: String?
    /// ALPN protocol the server chose, e.g. `h2`.
    package var alpn: String?
    /// The certificate's subject common name.
    package var subject: String?
    /// Subject alternative names: DNS names as they are, addresses as `IP:<address>`.
    package var names: [String]
    /// The certificate's notAfter.
    package var notValidAfter: Date?

    package init(
        verified: Bool, serverName: String?, version: String? = nil, alpn: String? = nil, subject: String? = nil,
        names: [String] = [], notValidAfter: Date? = nil
    ) {
        self.verified = verified
        self.serverName = serverName
        self.version = version
        self.alpn = alpn
        self.subject = subject
        self.names = names
        self.notValidAfter = notValidAfter
    }

    /// Whole days from `now` until the certificate expires (negative once expired).
    package func daysUntilExpiry(now: Date) -> Int? {
        notValidAfter.map { Int((($0.timeIntervalSince(now)) / 86_400).rounded(.down)) }
    }

    /// True when the certificate expires within `days` of `now` (or has expired).
    package func expires(within days: Int, now: Date) -> Bool {
        guard let notValidAfter else { return false }
        return notValidAfter.timeIntervalSince(now) < Double(days) * 86_400
    }
}
