import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// The names of the client certificate a caller presented on a TLS listener (verified by the
/// handshake against the listener's client CA): what certificate principals are matched on.
package struct CallerCertificate: Sendable, Hashable, CustomStringConvertible {
    package var uriSANs: [String]
    package var dnsSANs: [String]
    package var subjectCN: String?

    package init(uriSANs: [String] = [], dnsSANs: [String] = [], subjectCN: String? = nil) {
        self.uriSANs = uriSANs
        self.dnsSANs = dnsSANs
        self.subjectCN = subjectCN
    }

    /// The names in `certificate`; nil when it does not parse.
    package init?(_ certificate: NIOSSLCertificate) {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        var uris: [String] = []
        var dns: [String] = []
        if let names = try? parsed.extensions.subjectAlternativeNames {
            for name in names {
                switch name {
                case let .uniformResourceIdentifier(uri): uris.append(uri)
                case let .dnsName(host): dns.append(host)
                default: continue
                }
            }
        }
        // The most significant (last) common name, as TLS name checks read it.
        var commonName: String?
        for rdn in parsed.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                commonName = String(attribute.value) ?? commonName
            }
        }
        self.init(uriSANs: uris, dnsSANs: dns, subjectCN: commonName)
    }

    /// The client certificate of `channel`'s TLS handshake, from its event loop; nil without one.
    static func of(_ channel: any Channel) -> CallerCertificate? {
        guard let certificate = try? channel.pipeline.syncOperations.nioSSL_peerCertificate() else { return nil }
        return CallerCertificate(certificate)
    }

    /// For messages and logs (names only; a certificate holds nothing secret).
    package var description: String {
        var parts: [String] = []
        if let subjectCN { parts.append("CN=\(subjectCN)") }
        parts += uriSANs.map { "URI:\($0)" } + dnsSANs.map { "DNS:\($0)" }
        return parts.isEmpty ? "a certificate without names" : parts.joined(separator: ", ")
    }
}
