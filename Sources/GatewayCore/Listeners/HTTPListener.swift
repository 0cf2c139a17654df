import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix

/// The HTTP listener: every accepted connection gets a `ProxyHandler` over the current proxy
/// context and the upstream pools of its event loop (shared by every HTTP listener, so a
/// re-bound listener keeps the pooled upstream connections).
final class HTTPListener: Listener {
    let name = "http"
    let address: HostPort
    private let holder: ProxyContextHolder
    private let group: MultiThreadedEventLoopGroup
    private let pools: PoolDirectory
    private let quiesce: ServerQuiescingHelper

    init(address: HostPort, holder: ProxyContextHolder, group: MultiThreadedEventLoopGroup, pools: PoolDirectory) {
        self.address = address
        self.holder = holder
        self.group = group
        self.pools = pools
        self.quiesce = ServerQuiescingHelper(group: group)
    }

    func start() async throws -> SocketAddress {
        let holder = self.holder
        let pools = self.pools
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
                    try Self.addCallerHandlers(sync, holder: holder, pool: pools.pool(for: channel.eventLoop), limits: limits)
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

    /// A caller connection's pipeline: the time between requests, the HTTP/1 server codec, the
    /// data path.
    static func addCallerHandlers(
        _ sync: ChannelPipeline.SynchronousOperations, holder: ProxyContextHolder, pool: UpstreamPool, limits: ClientLimits
    ) throws {
        let timeouts = ClientTimeoutHandler(limits: limits)
        try sync.addHandler(timeouts)
        // ProxyHandler itself handles pipelining (NIO's helper stops reading during every
        // response: two epoll_ctl calls per request) and parse errors (a 400 in problem+json).
        // No response header validator per write: upstream headers were parsed by llhttp, and
        // the gateway's own are constants or values checked when routes are built.
        // The decoder passes on bytes it holds when it is removed: after a WebSocket handshake,
        // what the caller sent past it belongs to the tunnel.
        try sync.addHandler(HTTPResponseEncoder())
        try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
        try sync.addHandler(ProxyHandler(holder: holder, pool: pool, timeouts: timeouts))
    }

    func drain(deadline: TimeAmount) async -> Bool {
        await quiesce.drain(on: group.next(), deadline: deadline)
    }
}
