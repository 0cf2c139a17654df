import NIOCore
import NIOSSL

/// The upstream asked for a client certificate during the TLS handshake and the connector has
/// none: the gateway ended the handshake rather than go on without one.
struct ClientCertificateRequested: Error, CustomStringConvertible {
    let connector: String

    var description: String {
        "the upstream asked for a TLS client certificate and connector '\(connector)' has none"
    }
}
