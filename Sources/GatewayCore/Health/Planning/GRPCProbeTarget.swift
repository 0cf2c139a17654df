import NIOSSL

/// Where the gRPC health probe goes: the connector's TCP executor address, in plaintext HTTP/2
/// or over TLS (ALPN `h2`) when the connector says its frontend speaks TLS.
public struct GRPCProbeTarget: Sendable {
    public var host: String
    public var port: Int
    /// Nil for plaintext (prior-knowledge HTTP/2).
    public var tlsContext: NIOSSLContext?
    public var serverHostname: String?
    /// The health service name asked about.
    public var service: String
    /// The connector's `connect_timeout`.
    public var connectTimeout: Double

    public init(
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
    public var authority: String { HostPort(host: serverHostname ?? host, port: port).description }
}
