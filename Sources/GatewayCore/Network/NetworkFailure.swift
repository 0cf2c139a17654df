import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// What went wrong on the way to a peer, read once from NIO's, BoringSSL's and AsyncHTTPClient's
/// errors. The data path (`UpstreamFailure`), the health checks (`HealthFailure`), the OpenBao
/// client and the fleet view each put it in words for their own reader.
enum NetworkFailure: Equatable {
    /// The host name did not resolve (the resolver's words).
    case nameNotResolved(String)
    case refused
    /// No connection could be made, for another reason than a refusal (the resolver's and
    /// socket's words).
    case unreachable(String)
    case connectTimeout
    /// The peer did not answer within the client's deadline.
    case timeout
    case reset
    /// The peer closed the connection before answering.
    case closed
    /// The certificate does not carry the name dialled.
    case certificateNameMismatch
    /// The certificate is not trusted (`expired` when that is why).
    case certificateNotTrusted(expired: Bool)
    /// The peer asked for a client certificate and the connector has none (`UpstreamTLS`).
    case clientCertificateRequested
    /// The peer's alert says a client certificate is required.
    case clientCertificateRequired
    /// The peer refused the client certificate presented.
    case clientCertificateRefused
    /// A handshake-failure alert: a client certificate, or no shared version or cipher.
    case handshakeFailure
    /// What answered is not TLS.
    case notTLS
    /// Another TLS failure, in BoringSSL's words.
    case tls(String)
    /// Anything else, in the error's own words.
    case other(String)

    init(_ error: any Error) {
        if error is ClientCertificateRequested {
            self = .clientCertificateRequested
            return
        }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, let dns = error.dnsAError ?? error.dnsAAAAError {
                self = .nameNotResolved("\(dns)")
            } else if error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                self = .refused
            } else {
                self = .unreachable("\(error)")
            }
            return
        }
        if case ChannelError.connectTimeout = error {
            self = .connectTimeout
            return
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: self = .refused
            case ECONNRESET, EPIPE: self = .reset
            default: self = .other(io.description)
            }
            return
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .writeTimeout: self = .timeout
            case .connectTimeout: self = .connectTimeout
            case .remoteConnectionClosed: self = .closed
            default: self = .other("\(client)")
            }
            return
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname || extra == .serverHostnameImpossibleToMatch {
            self = .certificateNameMismatch
            return
        }
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            self = .certificateNotTrusted(expired: text.lowercased().contains("expired"))
        } else if text.contains("CERTIFICATE_REQUIRED") {
            self = .clientCertificateRequired
        } else if [
            "UNKNOWN_CA", "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN", "UNSUPPORTED_CERTIFICATE", "CERTIFICATE_EXPIRED",
            "CERTIFICATE_REVOKED", "ACCESS_DENIED",
        ].contains(where: text.contains) {
            self = .clientCertificateRefused
        } else if text.contains("ALERT_HANDSHAKE_FAILURE") {
            self = .handshakeFailure
        } else if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") {
            self = .notTLS
        } else if error is NIOSSLError || error is NIOSSLExtraError {
            self = .tls(text)
        } else {
            self = .other(text)
        }
    }
}
