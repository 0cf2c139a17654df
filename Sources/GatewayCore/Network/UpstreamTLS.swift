import NIOCore
import NIOSSL

/// How the gateway dials a connector's upstream over TLS: the one builder for HTTP routes, TCP
/// and gRPC listeners and their probes. The connector's `ca_file` and `verify_tls`, its client
/// certificate (`client_cert_file`), and what happens when the upstream asks for a certificate
/// the connector does not have (`client_cert_optional`).
struct UpstreamTLS {
    var configuration: TLSConfiguration
    /// The client certificate presented, nil when the connector has none.
    var identity: TLSIdentity?

    init(
        connector: ConnectorConfig, configuration gateway: GatewayConfiguration, secrets: SecretStore,
        applicationProtocols: [String]
    ) throws(TLSMaterialError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = connector.verifyTLS ? .fullVerification : .none
        if let caFile = connector.caFile { tls.trustRoots = .file(gateway.absolutePath(caFile)) }
        tls.applicationProtocols = applicationProtocols
        identity = try connector.clientIdentity(configuration: gateway, secrets: secrets)
        tls.present(identity)
        if identity == nil, !connector.clientCertOptional {
            // BoringSSL calls a client's certificate callback only when the server sends a
            // CertificateRequest: failing it ends the handshake there, so an upstream that
            // wants a certificate never gets a request it must refuse (nginx would answer its
            // own 400 after the handshake).
            let name = connector.name
            tls.sslContextCallback = { _, promise in promise.fail(ClientCertificateRequested(connector: name)) }
        }
        self.configuration = tls
    }

    func makeContext() throws -> NIOSSLContext { try NIOSSLContext(configuration: configuration) }

    /// The serial of the client certificate presented, or "-".
    var clientSerial: String { identity?.serialHex ?? "-" }
}
