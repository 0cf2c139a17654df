import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The HTTP listener as a `Service`: binds, serves until graceful shutdown, then stops accepting,
/// lets requests in flight finish up to the drain deadline, and closes what is left.
public final class GatewayServer: Service {
    let holder: ProxyContextHolder
    var context: ProxyContext { holder.context }
    let group: MultiThreadedEventLoopGroup
    let address: HostPort
    let drainTimeout: TimeAmount
    let onListening: @Sendable (SocketAddress) -> Void
    let pools: PoolDirectory

    public init(
        holder: ProxyContextHolder, group: MultiThreadedEventLoopGroup, address: HostPort, drainTimeout: Double,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.holder = holder
        self.group = group
        self.address = address
        self.drainTimeout = TimeAmount(seconds: drainTimeout)
        self.onListening = onListening
        self.pools = PoolDirectory(group: group, metrics: holder.context.metrics)
    }

    public func run() async throws {
        let quiesce = ServerQuiescingHelper(group: group)
        let holder = self.holder
        let pools = self.pools
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // Pipelining is handled by ProxyHandler itself: NIO's pipelining helper stops
                    // reading during every response, which costs two epoll_ctl calls per request.
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try sync.addHandler(ProxyHandler(holder: holder, pool: pools.pool(for: channel.eventLoop)))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .bind(host: address.host, port: address.port).get()
        guard let local = channel.localAddress else { throw ChannelError.unknownLocalAddress }
        context.setReady(true)
        onListening(local)

        try? await gracefulShutdown()

        context.setReady(false)
        context.logger.info("draining", metadata: ["gateway.drain_timeout_ms": "\(drainTimeout.nanoseconds / 1_000_000)"])
        let drained = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: drained)
        let deadline = group.next().scheduleTask(in: drainTimeout) {
            drained.fail(DrainTimeout())
        }
        do {
            try await drained.futureResult.get()
            deadline.cancel()
            context.logger.info("drained: every request in flight finished")
        } catch {
            context.logger.warning("drain deadline reached: closing the connections still open")
        }
        await pools.closeIdle()
    }

    struct DrainTimeout: Error {}
}

/// One upstream pool per event loop. Each pool is only ever touched on its own loop; the
/// directory itself is immutable after creation.
final class PoolDirectory: @unchecked Sendable {
    private let pools: [ObjectIdentifier: UpstreamPool]
    private let loops: [any EventLoop]

    init(group: MultiThreadedEventLoopGroup, metrics: GatewayMetrics) {
        var pools: [ObjectIdentifier: UpstreamPool] = [:]
        var loops: [any EventLoop] = []
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = UpstreamPool(eventLoop: loop, metrics: metrics)
            loops.append(loop)
        }
        self.pools = pools
        self.loops = loops
    }

    func pool(for loop: any EventLoop) -> UpstreamPool {
        pools[ObjectIdentifier(loop)]!
    }

    func closeIdle() async {
        for loop in loops {
            try? await loop.submit { [self] in self.pool(for: loop).closeIdle() }.get()
        }
    }
}
