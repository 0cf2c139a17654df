import Foundation
import NIOSSL

/// Reads what the report shows of a peer certificate: names, subject and expiry.
enum CertificateReader {
    static func summary(
        _ certificate: NIOSSLCertificate?, verified: Bool, serverName: String?, version: TLSVersion?, alpn: String?
    ) -> TLSSummary {
        var summary = TLSSummary(verified: verified, serverName: serverName, version: version.map(name), alpn: alpn)
        guard let certificate else { return summary }
        summary.subject = certificate.subjectName.last { $0.type == .commonName }?.value
        summary.names = certificate._subjectAlternativeNames().compactMap { name in
            switch name.nameType {
            case .dnsName: return String(decoding: Array(name.contents), as: UTF8.self)
            case .ipAddress: return address(Array(name.contents)).map { "IP:\($0)" }
            default: return nil
            }
        }
        summary.notValidAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        return summary
    }

    static func name(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: return "TLSv1.0"
        case .tlsv11: return "TLSv1.1"
        case .tlsv12: return "TLSv1.2"
        case .tlsv13: return "TLSv1.3"
        }
    }

    /// 4 bytes as dotted decimal, 16 as eight colon-separated hex groups.
    static func address(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 4: return bytes.map(String.init).joined(separator: ".")
        case 16:
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        default: return nil
        }
    }
}
