import Foundation
import NIOSSL

/// A certificate chain and its private key, parsed and checked to be a pair: what the gateway
/// presents (to callers on its listeners, to upstreams as a client certificate).
package struct TLSIdentity: Sendable {
    package let chain: [NIOSSLCertificate]
    package let key: NIOSSLPrivateKey

    /// Parses both PEMs; a key that does not match the certificate is refused.
    package init(
        certificate: PEMSource, key: PEMSource, certificateKey: String, keyKey: String,
        certificateLocation: String, keyLocation: String, owner: String?
    ) throws(TLSMaterialError) {
        let certificateBytes = try certificate.bytes(key: certificateKey, location: certificateLocation, owner: owner)
        let keyBytes = try key.bytes(key: keyKey, location: keyLocation, owner: owner)
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
        } catch {
            throw TLSMaterialError(
                .clientCertificateUnusable, owner: owner, key: certificateKey, location: certificateLocation,
                problem: "'\(certificateKey)' does not hold a PEM certificate (\(error)).",
                fix: "Give a PEM file starting with -----BEGIN CERTIFICATE-----, leaf first, then intermediates.")
        }
        guard !chain.isEmpty else {
            throw TLSMaterialError(
                .clientCertificateUnusable, owner: owner, key: certificateKey, location: certificateLocation,
                problem: "'\(certificateKey)' holds no certificate.",
                fix: "Give a PEM file starting with -----BEGIN CERTIFICATE-----, leaf first, then intermediates.")
        }
        do {
            self.key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            // NIOSSL's error carries no key material, but say only that it failed.
            throw TLSMaterialError(
                .clientCertificateUnusable, owner: owner, key: keyKey, location: keyLocation,
                problem: "'\(keyKey)' does not hold an unencrypted PEM private key.",
                fix: "Give an unencrypted PEM private key (PKCS#8, or an EC or RSA key) without a passphrase.")
        }
        // A mismatched pair would fail every handshake: refuse it here instead.
        do {
            var probe = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(self.key))
            probe.minimumTLSVersion = .tlsv12
            _ = try NIOSSLContext(configuration: probe)
        } catch {
            throw TLSMaterialError(
                .clientCertificateUnusable, owner: owner, key: keyKey, location: keyLocation,
                problem: "The private key in '\(keyKey)' does not belong to the certificate in '\(certificateKey)'.",
                fix: "Give the key the certificate was issued for (compare `openssl x509 -pubkey` with `openssl pkey -pubout`).")
        }
    }

    /// The leaf's serial number in hex, for logs and metrics (not secret).
    package var serialHex: String {
        chain.first.map { $0.serialNumber.map { String(format: "%02x", $0) }.joined() } ?? ""
    }
}
