import NIOCore
import NIOSSL

/// Everything the data path needs to reach one connector's executor, computed once from the
/// configuration: address, TLS context, Host header, the credential to inject and the limits.
/// A class: every request refers to it, and copying a struct of this size costs a retain per field.
package final class UpstreamTarget: Sendable {
    package enum ForwardedFor: Sendable, Equatable {
        /// The true TCP peer of the caller.
        case client
        /// A fixed address (the gateway's egress address an upstream key is bound to).
        case fixed(String)
    }

    package let connector: String
    /// Connections are pooled per key: one per route of a connector that has several upstreams.
    package let poolKey: String
    /// `poolKey`'s number (`PoolKeys`): where a pool keeps this key's connections.
    let poolIndex: Int
    package let host: String
    package let port: Int
    /// The executor URL's path prefix, without a trailing slash.
    package let basePath: String
    /// The Host header sent upstream: the configured override or the executor URL's authority.
    package let hostHeader: String
    /// Nil for plain HTTP.
    package let tlsContext: NIOSSLContext?
    /// The name sent in SNI and checked against the certificate; nil when dialling an IP
    /// address without `tls_server_name` (then the certificate must name the IP).
    package let serverHostname: String?
    /// Header name and full value (scheme included) of the injected credential.
    package let credential: (name: String, value: SecretValue)?
    /// Lower-cased names of caller headers that are removed before forwarding.
    package let removedRequestHeaders: Set<String>
    /// The same names as bytes, each folded (`HeaderName.fold`): what a caller's field name is
    /// compared with, without a walk over a set of strings per field.
    let removedRequestHeaderBytes: [[UInt8]]
    package let forwardedFor: ForwardedFor
    /// Query parameters removed from the caller's query.
    package let strippedQueryParameters: Set<String>
    /// Upstream URLs rewritten to the gateway's in responses (and back in requests).
    package let rewrites: [RouteSpec.URLRewrite]
    /// Sent as `X-Forwarded-Prefix` when set.
    package let forwardedPrefix: String?
    package let connectTimeout: TimeAmount
    package let firstByteTimeout: TimeAmount
    package let idleTimeout: TimeAmount
    package let maxBodyBytes: Int
    /// Upstream connections this connector may hold open per event loop.
    package let maxConnectionsPerLoop: Int
    /// This connector's label slot in `GatewayMetrics`.
    package let metricsIndex: Int
    /// The connector's runtime asset, for the access line.
    package let runtimeAsset: RuntimeAsset?
    /// A WebSocket tunnel silent both ways this long is closed (`tunnel_idle_timeout`).
    package let tunnelIdleTimeout: TimeAmount

    /// The TLS context presents a client certificate (`client_cert_file`).
    package let presentsClientCertificate: Bool

    package var useTLS: Bool { tlsContext != nil }

    package init(
        connector: String, poolKey: String? = nil, host: String, port: Int, basePath: String, hostHeader: String, tlsContext: NIOSSLContext?,
        serverHostname: String?, credential: (name: String, value: SecretValue)?, removedRequestHeaders: Set<String>,
        forwardedFor: ForwardedFor, strippedQueryParameters: Set<String> = [], rewrites: [RouteSpec.URLRewrite] = [],
        forwardedPrefix: String? = nil, connectTimeout: TimeAmount, firstByteTimeout: TimeAmount, idleTimeout: TimeAmount,
        maxBodyBytes: Int, maxConnectionsPerLoop: Int, metricsIndex: Int = 0, runtimeAsset: RuntimeAsset? = nil,
        tunnelIdleTimeout: TimeAmount = .seconds(Int64(ConnectorKey.tunnelIdleTimeout.defaultValue)),
        presentsClientCertificate: Bool = false
    ) {
        self.presentsClientCertificate = presentsClientCertificate
        self.tunnelIdleTimeout = tunnelIdleTimeout
        self.metricsIndex = metricsIndex
        self.runtimeAsset = runtimeAsset
        self.connector = connector
        self.poolKey = poolKey ?? connector
        self.poolIndex = PoolKeys.number(of: poolKey ?? connector)
        self.host = host
        self.port = port
        self.basePath = basePath
        self.hostHeader = hostHeader
        self.tlsContext = tlsContext
        self.serverHostname = serverHostname
        self.credential = credential
        self.removedRequestHeaders = removedRequestHeaders
        self.removedRequestHeaderBytes = removedRequestHeaders.sorted().map { $0.utf8.map(HeaderName.fold) }
        self.forwardedFor = forwardedFor
        self.strippedQueryParameters = strippedQueryParameters
        self.rewrites = rewrites
        self.forwardedPrefix = forwardedPrefix
        self.connectTimeout = connectTimeout
        self.firstByteTimeout = firstByteTimeout
        self.idleTimeout = idleTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxConnectionsPerLoop = maxConnectionsPerLoop
    }

    /// The same target with its metrics label slot set.
    func withMetricsIndex(_ index: Int) -> UpstreamTarget {
        UpstreamTarget(
            connector: connector, poolKey: poolKey, host: host, port: port, basePath: basePath, hostHeader: hostHeader,
            tlsContext: tlsContext, serverHostname: serverHostname, credential: credential,
            removedRequestHeaders: removedRequestHeaders, forwardedFor: forwardedFor,
            strippedQueryParameters: strippedQueryParameters, rewrites: rewrites, forwardedPrefix: forwardedPrefix,
            connectTimeout: connectTimeout,
            firstByteTimeout: firstByteTimeout, idleTimeout: idleTimeout, maxBodyBytes: maxBodyBytes,
            maxConnectionsPerLoop: maxConnectionsPerLoop, metricsIndex: index, runtimeAsset: runtimeAsset,
            tunnelIdleTimeout: tunnelIdleTimeout, presentsClientCertificate: presentsClientCertificate)
    }
}
