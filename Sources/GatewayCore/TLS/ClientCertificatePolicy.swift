import Foundation
import NIOSSL

/// Whether a TLS listener asks callers for client certificates, and which CA(s) they must chain
/// to: `gateway.tls.client_ca_file` with `client_auth: optional|required`, or a TCP connector's
/// `listen_tls.client_ca_file` (always required).
struct ClientCertificatePolicy: Hashable, Sendable {
    /// The CA bundle's PEM bytes (certificates: nothing secret).
    var caPEM: [UInt8]
    var required: Bool
    var caFile: String

    /// The HTTPS listener's policy; nil without `gateway.tls.client_ca_file`.
    init?(configuration: GatewayConfiguration) throws(TLSMaterialError) {
        guard let setting = configuration.gateway.settings["tls.client_ca_file"], let file = setting.value.stringValue else {
            return nil
        }
        try self.init(
            file: configuration.absolutePath(file), required: configuration.gateway.clientCertificateRequired,
            key: "gateway.tls.client_ca_file", location: setting.source.description, owner: nil)
    }

    init(file: String, required: Bool, key: String, location: String, owner: String?) throws(TLSMaterialError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TLSMaterialError(
                .caFileUnreadable, owner: owner, key: key, location: location, problem: "The file \(file) cannot be read.",
                fix: "Point '\(key)' at a readable PEM bundle of the CA that issues client certificates.")
        }
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(data)), !certificates.isEmpty else {
            throw TLSMaterialError(
                .caFileUnreadable, owner: owner, key: key, location: location,
                problem: "The file \(file) holds no PEM certificate.",
                fix: "Give a PEM bundle starting with -----BEGIN CERTIFICATE----- (the CA certificates, not a key).")
        }
        self.caPEM = Array(data)
        self.required = required
        self.caFile = file
    }

    /// Only the CA bundle is trusted (not the system store); host names are not checked (a
    /// caller's certificate names a workload, not a host).
    func apply(to tls: inout TLSConfiguration) {
        let certificates = (try? NIOSSLCertificate.fromPEMBytes(caPEM)) ?? []
        tls.trustRoots = .certificates(certificates)
        tls.certificateVerification = required ? .noHostnameVerification : .optionalVerification
        tls.sendCANameList = true
    }
}
