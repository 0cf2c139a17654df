import NIOCore
import NIOPosix
import NIOSSL

/// Maps what went wrong on the way to an upstream into the error the caller gets.
enum UpstreamFailure {
    static func proxyError(for error: any Error, target: UpstreamTarget) -> ProxyError {
        if let error = error as? ProxyError { return error }
        let upstream = "\(target.host):\(target.port)"
        let connector = target.connector
        if let refusal = error as? ResponseRefusal {
            return ProxyError(
                .upstreamProtocol, status: 502, title: "Upstream answer malformed",
                detail:
                    "The executor of '\(connector)' at \(upstream) answered bytes that are not a valid HTTP/1.1 response (\(refusal.reason)); its connection is closed."
            )
        }
        let withoutCertificate = !target.presentsClientCertificate
        switch NetworkFailure(error) {
        case let .nameNotResolved(why):
            return ProxyError(
                .dns, status: 502, title: "Upstream name not resolved",
                detail: "The executor host '\(target.host)' of '\(connector)' could not be resolved (\(why)).")
        case .refused:
            return ProxyError(
                .refused, status: 502, title: "Upstream refused the connection",
                detail: "The executor of '\(connector)' at \(upstream) refused the connection.")
        case .connectTimeout:
            return ProxyError(
                .timeout, status: 504, title: "Upstream connect timeout",
                detail:
                    "Connecting to the executor of '\(connector)' at \(upstream) took longer than \(milliseconds(target.connectTimeout)) ms.")
        case .clientCertificateRequested:
            return ProxyError(
                .tls, status: 502, title: "Upstream requires a client certificate",
                detail:
                    "TLS to '\(connector)' at \(upstream) was ended by the gateway: the upstream asked for a client certificate and the gateway has none for this connector. Set client_cert_file and client_key_file (or client_cert_optional: true if the upstream serves callers without one)."
            )
        case .certificateNameMismatch:
            return ProxyError(
                .tls, status: 502, title: "Upstream certificate name mismatch",
                detail:
                    "TLS to '\(connector)' failed: the certificate presented by \(upstream) does not match the name '\(target.serverHostname ?? target.host)'. Set tls_server_name to a name the certificate carries."
            )
        case .certificateNotTrusted:
            return ProxyError(
                .tls, status: 502, title: "Upstream certificate not trusted",
                detail:
                    "TLS to '\(connector)' failed: the certificate presented by \(upstream) is not trusted (self-signed or issued by an unknown CA). Set ca_file to the issuing CA, or verify_tls: false for a lab upstream."
            )
        case .clientCertificateRequired where withoutCertificate, .clientCertificateRefused where withoutCertificate,
            .handshakeFailure where withoutCertificate:
            return ProxyError(
                .tls, status: 502, title: "Upstream requires a client certificate",
                detail:
                    "TLS to '\(connector)' at \(upstream) was refused: the upstream requires a client certificate and the gateway has none for this connector. Set client_cert_file and client_key_file."
            )
        case .clientCertificateRequired, .clientCertificateRefused:
            return ProxyError(
                .tls, status: 502, title: "Upstream refused the client certificate",
                detail:
                    "TLS to '\(connector)' at \(upstream) was refused: the upstream did not accept the gateway's client certificate (client_cert_file). Use a certificate issued by a CA the upstream trusts, still valid."
            )
        case .handshakeFailure, .notTLS, .tls:
            return ProxyError(
                .tls, status: 502, title: "Upstream TLS failure",
                detail: "TLS to '\(connector)' at \(upstream) failed: \(error).")
        case .reset:
            // A TLS 1.3 server that wants a client certificate refuses after the handshake,
            // and its alert may be lost to the reset.
            let hint =
                target.useTLS && withoutCertificate
                ? " If it requires a client certificate, set client_cert_file and client_key_file." : ""
            return ProxyError(
                .reset, status: 502, title: "Upstream reset the connection",
                detail: "The executor of '\(connector)' at \(upstream) reset the connection before answering.\(hint)")
        case let .unreachable(why):
            return ProxyError(
                .refused, status: 502, title: "Upstream unreachable",
                detail: "The executor of '\(connector)' at \(upstream) could not be reached: \(why).")
        case .timeout, .closed, .other:
            return ProxyError(
                .reset, status: 502, title: "Upstream failed",
                detail: "The exchange with the executor of '\(connector)' at \(upstream) failed before an answer: \(error).")
        }
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
