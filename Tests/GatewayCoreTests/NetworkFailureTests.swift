import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import GatewayCore

/// One reading of network errors for every reader (data path, health, OpenBao, the fleet view).
@Suite struct NetworkFailureTests {
    @Test("errors from NIO and BoringSSL read as the cause they mean")
    func causes() {
        #expect(NetworkFailure(ChannelError.connectTimeout(.seconds(1))) == .connectTimeout)
        #expect(NetworkFailure(IOError(errnoCode: ECONNRESET, reason: "read")) == .reset)
        #expect(NetworkFailure(IOError(errnoCode: EPIPE, reason: "write")) == .reset)
        #expect(NetworkFailure(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .refused)
        #expect(NetworkFailure(NIOSSLExtraError.failedToValidateHostname) == .certificateNameMismatch)
        #expect(NetworkFailure(ClientCertificateRequested(connector: "nexus")) == .clientCertificateRequested)
        #expect(
            NetworkFailure(Described("handshakeFailed(CERTIFICATE_VERIFY_FAILED: certificate has expired)")) == .certificateNotTrusted(expired: true))
        #expect(
            NetworkFailure(Described("sslError([Error: 268436568 error:10000458:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED])"))
                == .clientCertificateRequired)
        #expect(NetworkFailure(Described("SSLV3_ALERT_BAD_CERTIFICATE")) == .clientCertificateRefused)
        #expect(NetworkFailure(Described("SSLV3_ALERT_HANDSHAKE_FAILURE")) == .handshakeFailure)
        #expect(NetworkFailure(Described("WRONG_VERSION_NUMBER")) == .notTLS)
        #expect(NetworkFailure(Described("something else")) == .other("something else"))
    }

    @Test("the health check names a certificate the upstream asked for, and the connector without one")
    func sameCause() {
        let error = ClientCertificateRequested(connector: "nexus")
        #expect(HealthFailure.tls(error, address: "10.0.0.1:443", serverName: nil).contains("asked for a client certificate"))
        #expect(error.description.contains("'nexus' has none"))
    }

    private struct Described: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
