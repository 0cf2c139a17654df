import NIOSSL

/// Where a check connects and how: address, connect limit, and the TLS context of the route.
struct Endpoint: Sendable {
    var host: String
    var port: Int
    var connectTimeout: Double
    /// Nil for plaintext.
    var tlsContext: NIOSSLContext?
    var serverHostname: String?
    /// verify_tls, for the report (the context enforces it).
    var verify: Bool

    var address: String { HostPort(host: host, port: port).description }
}
