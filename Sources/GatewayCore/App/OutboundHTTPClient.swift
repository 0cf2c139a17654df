import AsyncHTTPClient
import NIOCore

/// The one `HTTPClient` the gateway's own outbound calls share (OpenBao, other replicas' health
/// reports for `gateway health --url`; off the data path, which has its own NIO pipelines). TLS is set per request, so one client serves every peer.
/// Redirects are not followed: a token is never sent where the operator did not point it.
package enum OutboundHTTPClient {
    package static func make() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Runs `body` with a new client and shuts the client down when `body` ends, also on errors.
    package static func with<T, Failure: Error>(_ body: (HTTPClient) async throws(Failure) -> T) async throws(Failure) -> T {
        let client = make()
        do {
            let result = try await body(client)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
