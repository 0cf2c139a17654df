import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL

/// Sends OpenBao requests through the gateway's shared `HTTPClient`, with OpenBao's TLS settings
/// (CA bundle, verification) given per request, so the one client also serves other callers.
struct OpenBaoHTTPTransport: OpenBaoTransport {
    let client: HTTPClient
    let address: EndpointURL
    let timeout: TimeAmount
    let tls: TLSConfiguration?

    /// Answers bigger than this are refused (a KV secret is a few KiB).
    static let maxBodyBytes = 1 << 20

    /// Throws when the CA file cannot be loaded.
    init(client: HTTPClient, configuration: OpenBaoConfiguration, address: EndpointURL) throws(OpenBaoError) {
        self.client = client
        self.address = address
        self.timeout = .milliseconds(Int64(configuration.timeout * 1000))
        guard address.scheme == .https else {
            self.tls = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.verifyTLS {
            tls.certificateVerification = .none
        } else if let caFile = configuration.caFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw OpenBaoError(
                    .tls,
                    "the OpenBao CA file \(caFile) cannot be read as PEM certificates (\(error)); fix gateway.openbao.ca_file or FRACTALOPS_OPENBAO_CA_FILE"
                )
            }
        }
        self.tls = tls
    }

    func send(_ request: OpenBaoRequest, headers: [(name: String, value: String)]) async throws(OpenBaoError) -> OpenBaoResponse {
        var http = HTTPClientRequest(url: request.url(address: address))
        http.method = HTTPMethod(rawValue: request.method.rawValue)
        for header in headers { http.headers.add(name: header.name, value: header.value) }
        if let body = request.body {
            http.body = .bytes(body.withUnredactedValue { ByteBuffer(string: $0) })
        }
        http.tlsConfiguration = tls
        do {
            let response = try await client.execute(http, timeout: timeout)
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            return OpenBaoResponse(status: Int(response.status.code), body: Array(buffer: body))
        } catch {
            throw Self.classify(error, what: request.what, address: address)
        }
    }

    /// Connection-level failures, named for an operator (no request content in them).
    static func classify(_ error: any Error, what: String, address: EndpointURL) -> OpenBaoError {
        if error is CancellationError {
            return OpenBaoError(.unreachable, "the call to OpenBao at \(address) for \(what) was cancelled")
        }
        let tls = { (why: String) in OpenBaoError(.tls, "the TLS handshake with OpenBao at \(address) failed for \(what): \(why)") }
        switch NetworkFailure(error) {
        case .timeout, .connectTimeout:
            return OpenBaoError(.timeout, "OpenBao at \(address) did not answer \(what) in time")
        case .closed:
            return OpenBaoError(.unreachable, "OpenBao at \(address) closed the connection during \(what)")
        case .certificateNotTrusted:
            return tls(
                "its certificate is not trusted (CERTIFICATE_VERIFY_FAILED); set gateway.openbao.ca_file (FRACTALOPS_OPENBAO_CA_FILE) to the CA that issued it"
            )
        case .certificateNameMismatch:
            return tls("its certificate does not name \(address.host); point gateway.openbao.address at a name the certificate carries")
        case .clientCertificateRequired, .clientCertificateRefused, .handshakeFailure, .notTLS, .tls, .clientCertificateRequested:
            return tls("\(error); check gateway.openbao.ca_file and verify_tls")
        case .nameNotResolved, .refused, .unreachable, .reset, .other:
            return OpenBaoError(.unreachable, "OpenBao at \(address) could not be reached for \(what): \(error)")
        }
    }
}
