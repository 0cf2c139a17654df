import NIOCore
import NIOPosix
import NIOSSL

/// Reasons for failed steps, written for the person who must act (the same causes and advice as
/// the data path's `UpstreamFailure`).
enum HealthFailure {
    static func dns(_ error: any Error, host: String) -> String {
        if error is HealthCheckTimeout { return "resolving the executor host '\(host)' timed out: check the resolver, or use an address" }
        return "the executor host '\(host)' could not be resolved (\(error)): check executor_url (or the generated env) and DNS"
    }

    static func connect(_ error: any Error, address: String, timeout: Double) -> String {
        if error is HealthCheckTimeout {
            return timedOut(address, timeout)
        }
        switch NetworkFailure(error) {
        case .connectTimeout, .timeout: return timedOut(address, timeout)
        case .refused: return "the executor at \(address) refused the connection: is the service running and listening on that port?"
        case let .other(why) where error is IOError:
            return "the executor at \(address) could not be reached (\(why)): check the address and the network path"
        default: return "the executor at \(address) could not be reached: \(error)"
        }
    }

    private static func timedOut(_ address: String, _ timeout: Double) -> String {
        "connecting to the executor at \(address) timed out after \(HealthFormat.milliseconds(timeout)): is it reachable from the gateway (firewall, route)?"
    }

    static func tls(_ error: any Error, address: String, serverName: String?) -> String {
        if error is HealthCheckTimeout {
            return
                "the TLS handshake with \(address) did not finish in time: does the executor speak TLS on this port (or is the URL meant to be http://)?"
        }
        if error is TLSHandshakeWatcher.ClosedDuringHandshake {
            return "the executor at \(address) closed the connection during the TLS handshake: does it speak TLS on this port?"
        }
        let failure = NetworkFailure(error)
        switch failure {
        case .clientCertificateRequested:
            return
                "\(address) asked for a client certificate and the connector has none: set client_cert_file and client_key_file (or client_cert_optional: true if it serves callers without one)"
        case .certificateNameMismatch:
            return
                "the certificate presented by \(address) does not match the name '\(serverName ?? address)': set tls_server_name to a name the certificate carries"
        case .certificateNotTrusted(expired: true):
            return "the certificate presented by \(address) has expired: renew it"
        case .certificateNotTrusted(expired: false):
            return
                "the certificate presented by \(address) is not trusted (self-signed or issued by an unknown CA): set ca_file to the issuing CA, or verify_tls: false for a lab upstream"
        case .notTLS:
            return "the executor at \(address) does not speak TLS on this port: use an http:// executor URL or the TLS port"
        default:
            return clientCertificateRefusal(failure, address: address) ?? "the TLS handshake with \(address) failed: \(error)"
        }
    }

    static func probe(_ error: any Error, request: String, timeout: Double) -> String {
        if error is HealthCheckTimeout {
            return
                "\(request) got no complete answer within health.timeout (\(HealthFormat.milliseconds(timeout))): the upstream hangs or is overloaded"
        }
        if error is HTTPProbeHandler.ClosedBeforeAnswer || error is GRPCHealthStreamHandler.ClosedBeforeAnswer {
            return "the executor closed the connection before answering \(request): check that the port serves this protocol"
        }
        if let decoding = error as? GRPCHealthCodec.DecodingError {
            return "the gRPC health answer could not be read: \(decoding.description)"
        }
        let failure = NetworkFailure(error)
        if failure == .reset { return "the executor reset the connection before answering \(request)" }
        return clientCertificateRefusal(failure, address: "the executor") ?? "\(request) failed before an answer: \(error)"
    }

    /// A TLS 1.3 server asks for the client certificate after the handshake looks done to the
    /// client, so its refusal can surface in the probe step too.
    static func clientCertificateRefusal(_ failure: NetworkFailure, address: String) -> String? {
        switch failure {
        case .clientCertificateRequired:
            return "\(address) requires a client certificate and none was presented: set client_cert_file and client_key_file"
        case .handshakeFailure:
            return
                "\(address) refused the TLS handshake: it may require a client certificate (set client_cert_file and client_key_file) or share no protocol version or cipher with the gateway"
        case .clientCertificateRefused:
            return "\(address) refused the client certificate (client_cert_file): use one issued by a CA it trusts, still valid"
        default:
            return nil
        }
    }
}
