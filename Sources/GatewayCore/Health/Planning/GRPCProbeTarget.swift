import NIOSSL

/// Where the gRPC health probe goes: the connector's TCP executor address, in plaintext HTTP/2
/// or over TLS (ALPN `h2`) when the connector says its frontend speaks TLS.
package struct GRPCProbeTarget: Sendable {
    package var host: String
    package var port: Int
    /// Nil for plaintext (prior-knowledge HTTP/2).
    package var tlsContext: NIOSSLContext?
    package var serverHostname: String?
    /// The health service name asked about.
    package var service: String
    /// The connector's `connect_timeout`.
    package var connectTimeout: Double

    package init(
        host: String, port: Int, tlsContext: NIOSSLContext?, serverHostname: String?, service: String,
        connectTimeout: Double = 5
    ) {
        self.host = host
        self.port = port
        self.tlsContext = tlsContext
        self.serverHostname = serverHostname
        self.service = service
        self.connectTimeout = connectTimeout
    }

    /// `:authority` of the request.
    package var authority: String { HostPort(host: serverHostname ?? host, port: port).description }
}
