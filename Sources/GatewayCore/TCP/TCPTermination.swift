import NIOSSL

/// TLS terminated on a connector's TCP listener (`listen_tls: {cert_file, key_file,
/// client_ca_file}`): the listener's context (asking for a client certificate when a client CA is
/// set), and how the gateway dials the upstream afterwards: TLS again when the connector's `tls`
/// is true (its `ca_file`, `verify_tls`, TLS name and `client_cert_file`), plain otherwise.
package struct TCPTermination: Sendable, Equatable {
    let serverContext: NIOSSLContext
    /// Nil: plain TCP to the upstream.
    let upstreamContext: NIOSSLContext?
    let upstreamServerName: String?
    /// A client certificate is asked for and verified (listen_tls.client_ca_file).
    package let verifiesCallers: Bool
    /// The serving certificate's serial (hex), for logs.
    package let serial: String
    /// What the contexts were built from (a process-local digest): equal settings keep a listener's contexts.
    private let material: Int

    package static func == (lhs: TCPTermination, rhs: TCPTermination) -> Bool { lhs.material == rhs.material }

    /// Nil when the connector has no `listen_tls`. Errors name the key and where it was set.
    /// With `callerCertificates: .optional` (gRPC, where a call may bring a token instead) a
    /// caller without a client certificate completes the handshake.
    package init?(
        connector: ConnectorConfig, configuration: GatewayConfiguration, secrets: SecretStore,
        callerCertificates: CallerCertificates = .required
    ) throws(TLSMaterialError) {
        let settings = connector.settings
        guard let certificateSetting = settings["listen_tls.cert_file"], let keySetting = settings["listen_tls.key_file"] else {
            return nil
        }
        func source(_ key: String) throws(TLSMaterialError) -> PEMSource {
            guard
                let pem = try PEMSource.of(
                    key, settings: settings, secretID: "\(connector.name)/\(key)", secrets: secrets,
                    absolutePath: configuration.absolutePath, owner: connector.name)
            else {
                throw TLSMaterialError(
                    .serverCertificateIncomplete, owner: connector.name, key: key, location: connector.location,
                    problem: "'\(key)' is not set.", fix: "Set listen_tls: {cert_file: ..., key_file: ...}.")
            }
            return pem
        }
        let identity = try TLSIdentity(
            certificate: try source("listen_tls.cert_file"), key: try source("listen_tls.key_file"),
            certificateKey: "listen_tls.cert_file", keyKey: "listen_tls.key_file",
            certificateLocation: certificateSetting.source.description, keyLocation: keySetting.source.description,
            owner: connector.name)
        var clientCA: ClientCertificatePolicy?
        if let caSetting = settings["listen_tls.client_ca_file"], let file = caSetting.value.stringValue {
            clientCA = try ClientCertificatePolicy(
                file: configuration.absolutePath(file), required: callerCertificates == .required, key: "listen_tls.client_ca_file",
                location: caSetting.source.description, owner: connector.name)
        }
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key))
        server.minimumTLSVersion = .tlsv12
        // gRPC over TLS negotiates h2; a client that offers nothing is served all the same.
        server.applicationProtocols = ["h2"]
        clientCA?.apply(to: &server)

        let upstream = try Self.upstreamTLS(connector: connector, configuration: configuration, secrets: secrets)
        let upstreamName = upstream?.serverName
        let clientSerial = upstream?.clientSerial ?? "-"
        do {
            serverContext = try NIOSSLContext(configuration: server)
            upstreamContext = try upstream.map { try NIOSSLContext(configuration: $0.configuration) }
        } catch {
            throw TLSMaterialError(
                .serverCertificateUnusable, owner: connector.name, key: "listen_tls", location: certificateSetting.source.description,
                problem: "The TCP listener's TLS settings cannot be loaded (\(error)).",
                fix: "Check listen_tls (certificate chain, key, client CA) and the upstream's ca_file and client_cert_file.")
        }
        upstreamServerName = upstreamName
        verifiesCallers = clientCA != nil
        serial = identity.serialHex
        var hasher = Hasher()
        hasher.combine(identity.chain.compactMap { try? $0.toDERBytes() })
        hasher.combine((try? identity.key.derBytes) ?? [])
        hasher.combine(clientCA)
        hasher.combine(callerCertificates)
        hasher.combine(upstream != nil)
        hasher.combine(connector.verifyTLS)
        hasher.combine(connector.caFile)
        hasher.combine(upstreamName)
        hasher.combine(clientSerial)
        material = hasher.finalize()
    }

    package enum CallerCertificates: Sendable, Hashable {
        case required
        case optional
    }

    /// How the gateway dials a TCP connector's upstream when the connector's `tls` is true:
    /// its `ca_file`, `verify_tls`, TLS name and `client_cert_file`, ALPN h2; nil for plain TCP.
    static func upstreamTLS(
        connector: ConnectorConfig, configuration: GatewayConfiguration, secrets: SecretStore
    ) throws(TLSMaterialError) -> (configuration: TLSConfiguration, serverName: String?, clientSerial: String)? {
        guard let route = connector.kind.tcpRoute(for: connector), route.upstreamTLS else { return nil }
        let address = route.upstream
        let tls = try UpstreamTLS(connector: connector, configuration: configuration, secrets: secrets, applicationProtocols: ["h2"])
        let name = connector.tlsName(upstreamHost: address.host, hostHeader: connector.hostHeader).name
        return (tls.configuration, name, tls.clientSerial)
    }
}
