import NIOCore
import NIOSSL

/// Everything the data path needs to reach one connector's executor, computed once from the
/// configuration: address, TLS context, Host header, the credential to inject and the limits.
public struct UpstreamTarget: Sendable {
    public enum ForwardedFor: Sendable, Equatable {
        /// The true TCP peer of the caller.
        case client
        /// A fixed address (the gateway's egress address an upstream key is bound to).
        case fixed(String)
    }

    public let connector: String
    public let host: String
    public let port: Int
    /// The executor URL's path prefix, without a trailing slash.
    public let basePath: String
    /// The Host header sent upstream: the configured override or the executor URL's authority.
    public let hostHeader: String
    /// Nil for plain HTTP.
    public let tlsContext: NIOSSLContext?
    /// The name sent in SNI and checked against the certificate; nil when dialling an IP
    /// address without `tls_server_name` (then the certificate must name the IP).
    public let serverHostname: String?
    /// Header name and full value (scheme included) of the injected credential.
    public let credential: (name: String, value: SecretValue)?
    /// Lower-cased names of caller headers that are removed before forwarding.
    public let removedRequestHeaders: Set<String>
    public let forwardedFor: ForwardedFor
    public let connectTimeout: TimeAmount
    public let firstByteTimeout: TimeAmount
    public let idleTimeout: TimeAmount
    public let maxBodyBytes: Int
    /// Upstream connections this connector may hold open per event loop.
    public let maxConnectionsPerLoop: Int
    /// This connector's label slot in `GatewayMetrics`.
    public var metricsIndex = 0

    public var useTLS: Bool { tlsContext != nil }

    public init(
        connector: String, host: String, port: Int, basePath: String, hostHeader: String, tlsContext: NIOSSLContext?,
        serverHostname: String?, credential: (name: String, value: SecretValue)?, removedRequestHeaders: Set<String>,
        forwardedFor: ForwardedFor, connectTimeout: TimeAmount, firstByteTimeout: TimeAmount, idleTimeout: TimeAmount,
        maxBodyBytes: Int, maxConnectionsPerLoop: Int
    ) {
        self.connector = connector
        self.host = host
        self.port = port
        self.basePath = basePath
        self.hostHeader = hostHeader
        self.tlsContext = tlsContext
        self.serverHostname = serverHostname
        self.credential = credential
        self.removedRequestHeaders = removedRequestHeaders
        self.forwardedFor = forwardedFor
        self.connectTimeout = connectTimeout
        self.firstByteTimeout = firstByteTimeout
        self.idleTimeout = idleTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxConnectionsPerLoop = maxConnectionsPerLoop
    }
}

extension TimeAmount {
    init(seconds: Double) {
        self = .nanoseconds(Int64(seconds * 1_000_000_000))
    }
}
