import NIOCore
import NIOSSL

/// A connector listener that speaks gRPC (Temporal with `transport: grpc`): the kind's call
/// policy, how the gateway reaches the upstream over HTTP/2 (h2c, or TLS with the connector's
/// CA, TLS name and client certificate), and the credential it injects.
struct GRPCTransport: Sendable, Equatable {
    var policy: GRPCCallPolicy
    var upstream: GRPCUpstream.Target
    /// The kind's credential (`auth.api_key`), sent as `authorization` when the connector has one.
    var credential: CredentialSpec?

    init(
        connector: ConnectorConfig, policy: GRPCCallPolicy, configuration: GatewayConfiguration, secrets: SecretStore,
        address: HostPort, connectTimeout: TimeAmount
    ) throws(TLSMaterialError) {
        self.policy = policy
        credential = connector.kind.credentials.first
        var context: NIOSSLContext?
        let tls = try TCPTermination.upstreamTLS(connector: connector, configuration: configuration, secrets: secrets)
        if let tls {
            do {
                context = try NIOSSLContext(configuration: tls.configuration)
            } catch {
                throw TLSMaterialError(
                    .serverCertificateUnusable, owner: connector.name, key: "tls", location: connector.location,
                    problem: "The TLS settings towards the upstream cannot be loaded (\(error)).",
                    fix: "Check the connector's ca_file and client_cert_file/client_key_file.")
            }
        }
        upstream = GRPCUpstream.Target(
            address: address, tls: context, tlsConfiguration: tls?.configuration, serverName: tls?.serverName,
            connectTimeout: connectTimeout)
    }

    /// The `authorization` value sent upstream, from the secrets in use; nil without a credential.
    func credentialValue(connector: String, secrets: SecretStore) -> String? {
        guard let credential, let secret = secrets.credential(connector: connector, key: "auth.\(credential.key)") else { return nil }
        return secret.withUnredactedValue { value in credential.scheme.map { "\($0) \(value)" } ?? value }
    }
}
