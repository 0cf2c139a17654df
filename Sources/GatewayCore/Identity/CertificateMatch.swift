/// `certificate: {uri_san, dns_san, subject_cn}` on a principal: which client certificates
/// (already verified against `gateway.tls.client_ca_file`) are this principal. Every pattern
/// given must match: `uri_san` one of the certificate's URI SANs, `dns_san` one of its DNS SANs,
/// `subject_cn` its subject's common name.
package struct CertificateMatch: Sendable, Hashable, CustomStringConvertible {
    package var uriSAN: NamePattern?
    package var dnsSAN: NamePattern?
    package var subjectCN: NamePattern?

    package init(uriSAN: NamePattern? = nil, dnsSAN: NamePattern? = nil, subjectCN: NamePattern? = nil) {
        self.uriSAN = uriSAN
        self.dnsSAN = dnsSAN
        self.subjectCN = subjectCN
    }

    package var isEmpty: Bool { uriSAN == nil && dnsSAN == nil && subjectCN == nil }

    package func matches(_ certificate: CallerCertificate) -> Bool {
        guard !isEmpty else { return false }
        if let uriSAN, !certificate.uriSANs.contains(where: uriSAN.matches) { return false }
        if let dnsSAN, !certificate.dnsSANs.contains(where: dnsSAN.matches) { return false }
        if let subjectCN, !(certificate.subjectCN.map(subjectCN.matches) ?? false) { return false }
        return true
    }

    package var description: String {
        [("uri_san", uriSAN), ("dns_san", dnsSAN), ("subject_cn", subjectCN)]
            .compactMap { key, pattern in pattern.map { "\(key) \($0)" } }.joined(separator: ", ")
    }
}
