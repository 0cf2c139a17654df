import NIOCore
import NIOPosix
import NIOSSL

/// Maps what went wrong on the way to an upstream into the error the caller gets.
enum UpstreamFailure {
    static func proxyError(for error: any Error, target: UpstreamTarget) -> ProxyError {
        let upstream = "\(target.host):\(target.port)"
        if let error = error as? ProxyError { return error }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, let dns = error.dnsAError ?? error.dnsAAAAError {
                return ProxyError(
                    .dns, status: 502, title: "Upstream name not resolved",
                    detail: "The executor host '\(target.host)' of '\(target.connector)' could not be resolved (\(dns)).")
            }
            if error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return ProxyError(
                    .refused, status: 502, title: "Upstream refused the connection",
                    detail: "The executor of '\(target.connector)' at \(upstream) refused the connection.")
            }
            return ProxyError(
                .refused, status: 502, title: "Upstream unreachable",
                detail: "The executor of '\(target.connector)' at \(upstream) could not be reached: \(error).")
        }
        if case ChannelError.connectTimeout = error {
            return ProxyError(
                .timeout, status: 504, title: "Upstream connect timeout",
                detail:
                    "Connecting to the executor of '\(target.connector)' at \(upstream) took longer than \(milliseconds(target.connectTimeout)) ms.")
        }
        if error is ClientCertificateRequested {
            return ProxyError(
                .tls, status: 502, title: "Upstream requires a client certificate",
                detail:
                    "TLS to '\(target.connector)' at \(upstream) was ended by the gateway: the upstream asked for a client certificate and the gateway has none for this connector. Set client_cert_file and client_key_file (or client_cert_optional: true if the upstream serves callers without one)."
            )
        }
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname || error == .serverHostnameImpossibleToMatch {
            return ProxyError(
                .tls, status: 502, title: "Upstream certificate name mismatch",
                detail:
                    "TLS to '\(target.connector)' failed: the certificate presented by \(upstream) does not match the name '\(target.serverHostname ?? target.host)'. Set tls_server_name to a name the certificate carries."
            )
        }
        if let error = error as? NIOSSLError {
            let text = String(describing: error)
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return ProxyError(
                    .tls, status: 502, title: "Upstream certificate not trusted",
                    detail:
                        "TLS to '\(target.connector)' failed: the certificate presented by \(upstream) is not trusted (self-signed or issued by an unknown CA). Set ca_file to the issuing CA, or verify_tls: false for a lab upstream."
                )
            }
            if let refusal = clientCertificateRefusal(text, target: target, upstream: upstream) { return refusal }
            return ProxyError(
                .tls, status: 502, title: "Upstream TLS failure",
                detail: "TLS to '\(target.connector)' at \(upstream) failed: \(text).")
        }
        if let refusal = clientCertificateRefusal(String(describing: error), target: target, upstream: upstream) {
            return refusal
        }
        if let error = error as? IOError, error.errnoCode == ECONNRESET || error.errnoCode == EPIPE {
            // A TLS 1.3 server that wants a client certificate refuses after the handshake,
            // and its alert may be lost to the reset.
            let hint =
                target.useTLS && !target.presentsClientCertificate
                ? " If it requires a client certificate, set client_cert_file and client_key_file." : ""
            return ProxyError(
                .reset, status: 502, title: "Upstream reset the connection",
                detail: "The executor of '\(target.connector)' at \(upstream) reset the connection before answering.\(hint)")
        }
        return ProxyError(
            .reset, status: 502, title: "Upstream failed",
            detail: "The exchange with the executor of '\(target.connector)' at \(upstream) failed before an answer: \(error).")
    }

    /// The upstream's alert when it wants a client certificate (none sent, or one it does not
    /// trust): the cause named, and what to set.
    static func clientCertificateRefusal(_ text: String, target: UpstreamTarget, upstream: String) -> ProxyError? {
        let required = text.contains("CERTIFICATE_REQUIRED")
        let refused = [
            "UNKNOWN_CA", "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN", "UNSUPPORTED_CERTIFICATE",
            "CERTIFICATE_EXPIRED", "CERTIFICATE_REVOKED", "ACCESS_DENIED",
        ].contains { text.contains($0) }
        let handshakeFailure = text.contains("ALERT_HANDSHAKE_FAILURE")
        if !target.presentsClientCertificate, required || refused || handshakeFailure {
            return ProxyError(
                .tls, status: 502, title: "Upstream requires a client certificate",
                detail:
                    "TLS to '\(target.connector)' at \(upstream) was refused: the upstream requires a client certificate and the gateway has none for this connector. Set client_cert_file and client_key_file."
            )
        }
        if target.presentsClientCertificate, required || refused {
            return ProxyError(
                .tls, status: 502, title: "Upstream refused the client certificate",
                detail:
                    "TLS to '\(target.connector)' at \(upstream) was refused: the upstream did not accept the gateway's client certificate (client_cert_file). Use a certificate issued by a CA the upstream trusts, still valid."
            )
        }
        return nil
    }

    static func closedBeforeAnswer(_ target: UpstreamTarget) -> ProxyError {
        ProxyError(
            .reset, status: 502, title: "Upstream closed the connection",
            detail: "The executor of '\(target.connector)' at \(target.host):\(target.port) closed the connection before answering.")
    }

    static func firstByteTimeout(_ target: UpstreamTarget) -> ProxyError {
        ProxyError(
            .timeout, status: 504, title: "Upstream answer timeout",
            detail:
                "The executor of '\(target.connector)' did not start answering within \(milliseconds(target.firstByteTimeout)) ms (limits.first_byte_timeout)."
        )
    }

    static func idleTimeout(_ target: UpstreamTarget) -> ProxyError {
        ProxyError(
            .timeout, status: 504, title: "Upstream idle timeout",
            detail:
                "The exchange with the executor of '\(target.connector)' was silent for \(milliseconds(target.idleTimeout)) ms (limits.idle_timeout)."
        )
    }

    static func milliseconds(_ amount: TimeAmount) -> Int64 { amount.nanoseconds / 1_000_000 }
}
