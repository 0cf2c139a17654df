import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP listener: every accepted connection gets a `ProxyHandler` over the current proxy
/// context and the upstream pools of its event loop (shared by every HTTP listener, so a
/// re-bound listener keeps the pooled upstream connections).
/// With `certificate`, it is the HTTPS listener: each connection starts with a TLS handshake
/// using the certificate serving at that moment. With `probesOnly`, it is a plain listener that
/// answers only `/livez` and `/readyz` (TLS is on and `gateway.plain_http` is `probes`).
final class HTTPListener: Listener {
    let name: String
    let address: HostPort
    private let holder: ProxyContextHolder
    private let group: MultiThreadedEventLoopGroup
    private let pools: PoolDirectory
    private let quiesce: ServerQuiescingHelper
    private let certificate: ServerCertificate?
    let probesOnly: Bool

    init(
        address: HostPort, holder: ProxyContextHolder, group: MultiThreadedEventLoopGroup, pools: PoolDirectory,
        certificate: ServerCertificate? = nil, probesOnly: Bool = false
    ) {
        self.name = certificate == nil ? "http" : "https"
        self.address = address
        self.holder = holder
        self.group = group
        self.pools = pools
        self.certificate = certificate
        self.probesOnly = probesOnly
        self.quiesce = ServerQuiescingHelper(group: group)
    }

    func start() async throws -> SocketAddress {
        let holder = self.holder
        let pools = self.pools
        let certificate = self.certificate
        let probesOnly = self.probesOnly
        let channel = try await quiesce.serverBootstrap(group: group, backlog: 1024)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    let limits = holder.context.limits
                    guard holder.connections.acquire(limit: limits.maxClientConnections) else {
                        try sync.addHandler(OverCapacityHandler(limit: limits.maxClientConnections))
                        return
                    }
                    channel.closeFuture.whenComplete { _ in holder.connections.release() }
                    if let certificate {
                        guard let context = certificate.context else { throw TLSNotLoaded() }
                        try sync.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try Self.addCallerHandlers(
                        sync, holder: holder, pool: pools.pool(for: channel.eventLoop), limits: limits,
                        listener: ProxyHandler.ListenerKind(tls: certificate != nil, probesOnly: probesOnly))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .bind(host: address.host, port: address.port).get()
        guard let local = channel.localAddress else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return local
    }

    /// A caller connection's pipeline: the HTTP/1 response encoder (for the gateway's own
    /// answers) and the data path, which also bounds the time between requests.
    static func addCallerHandlers(
        _ sync: ChannelPipeline.SynchronousOperations, holder: ProxyContextHolder, pool: UpstreamPool, limits: ClientLimits,
        listener: ProxyHandler.ListenerKind = .init()
    ) throws {
        // ProxyHandler reads the requests out of the bytes itself (`RequestReader`), handles
        // pipelining (NIO's helper stops reading during every response: two epoll_ctl calls per
        // request) and bytes that are no request (a 400 in problem+json). The encoder writes
        // only the gateway's own answers; forwarded ones go past it as bytes. No response
        // header validator per write: upstream heads were scanned, and the gateway's own
        // headers are constants or values checked when routes are built.
        try sync.addHandler(HTTPResponseEncoder())
        try sync.addHandler(ProxyHandler(holder: holder, pool: pool, limits: limits, listener: listener))
    }

    func drain(deadline: TimeAmount) async -> Bool {
        await quiesce.drain(on: group.next(), deadline: deadline)
    }
}
