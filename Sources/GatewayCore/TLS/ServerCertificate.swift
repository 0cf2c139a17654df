import Logging
import NIOSSL
import Synchronization

/// The HTTPS listener's certificate: the TLS context every new connection is handed. Replaced
/// when the pair changes (file rotated, secret refreshed); connections already open keep the
/// context they started with. A new pair that does not load is refused and the current one
/// keeps serving.
package final class ServerCertificate: Sendable {
    private struct State {
        var context: NIOSSLContext?
        var serial = ""
        /// What the current context was built from (a process-local digest, not the bytes).
        var material: Int?
        /// The last pair refused: not tried (nor counted) again until it changes.
        var refusedMaterial: Int?
    }

    private let state = Mutex(State())
    private let reloaded = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)

    package init() {}

    /// The context for a new connection; nil until a pair has loaded.
    package var context: NIOSSLContext? { state.withLock { $0.context } }
    /// The serving certificate's serial number (hex).
    package var serial: String { state.withLock { $0.serial } }

    package enum Outcome: Equatable, Sendable {
        case unchanged
        case replaced(serial: String)
    }

    /// Reads the pair `configuration` names (files now, references from `secrets`) and swaps it
    /// in when it differs from the serving one. Throws, keeping the serving pair, when it does
    /// not load.
    @discardableResult
    package func load(configuration: GatewayConfiguration, secrets: SecretStore) throws(TLSMaterialError) -> Outcome {
        let settings = configuration.gateway.settings
        func source(_ key: String) throws(TLSMaterialError) -> (PEMSource, String) {
            guard let setting = settings[key],
                let pem = try PEMSource.of(
                    key, settings: settings, secretID: "gateway/\(key)", secrets: secrets,
                    absolutePath: configuration.absolutePath, owner: nil)
            else {
                throw TLSMaterialError(
                    .serverCertificateIncomplete, owner: nil, key: "gateway.\(key)",
                    location: configuration.inventoryPath, problem: "'gateway.\(key)' is not set.",
                    fix: "Set gateway.tls: {cert_file: ..., key_file: ...}.")
            }
            return (pem, setting.source.description)
        }
        do throws(TLSMaterialError) {
            let (certificate, certificateLocation) = try source("tls.cert_file")
            let (key, keyLocation) = try source("tls.key_file")
            var hasher = Hasher()
            hasher.combine(try certificate.bytes(key: "gateway.tls.cert_file", location: certificateLocation, owner: nil))
            hasher.combine(try key.bytes(key: "gateway.tls.key_file", location: keyLocation, owner: nil))
            let clientCA = try ClientCertificatePolicy(configuration: configuration)
            hasher.combine(clientCA)
            let material = hasher.finalize()
            if state.withLock({ $0.material == material || $0.refusedMaterial == material }) { return .unchanged }
            state.withLock { $0.refusedMaterial = material }
            let identity = try TLSIdentity(
                certificate: certificate, key: key, certificateKey: "gateway.tls.cert_file", keyKey: "gateway.tls.key_file",
                certificateLocation: certificateLocation, keyLocation: keyLocation, owner: nil)
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: Self.configuration(identity, clientCA: clientCA))
            } catch {
                throw TLSMaterialError(
                    .serverCertificateUnusable, owner: nil, key: "gateway.tls.cert_file", location: certificateLocation,
                    problem: "The HTTPS listener's TLS settings cannot be loaded (\(error)).",
                    fix: "Check the certificate chain and key (PEM, unencrypted, a matching pair).")
            }
            let serial = identity.serialHex
            state.withLock { $0 = State(context: context, serial: serial, material: material) }
            reloaded.add(1, ordering: .relaxed)
            return .replaced(serial: serial)
        } catch {
            refused.add(1, ordering: .relaxed)
            var error = error
            if error.code == .clientCertificateUnusable { error.code = .serverCertificateUnusable }
            throw error
        }
    }

    /// TLS 1.2 and 1.3 only, BoringSSL's modern cipher defaults, ALPN http/1.1; client
    /// certificates verified against `clientCA` when set.
    static func configuration(_ identity: TLSIdentity, clientCA: ClientCertificatePolicy? = nil) -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        clientCA?.apply(to: &tls)
        return tls
    }

    /// Prometheus lines: pairs loaded and refused since start.
    package func metricsText() -> String {
        """
        # HELP gateway_tls_certificate_reloads_total HTTPS listener certificate loads, by result (refused: the pair did not load; the previous one kept serving).
        # TYPE gateway_tls_certificate_reloads_total counter
        gateway_tls_certificate_reloads_total{result="loaded"} \(reloaded.load(ordering: .relaxed))
        gateway_tls_certificate_reloads_total{result="refused"} \(refused.load(ordering: .relaxed))

        """
    }
}
