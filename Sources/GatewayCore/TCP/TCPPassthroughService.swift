import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A connector's own TCP listener (Temporal): every accepted connection is joined byte for byte
/// to the upstream address, so TLS and gRPC stay end to end. Limits the connections held at once
/// and closes a connection silent in both directions for the idle timeout (at least 90 s: workers
/// hold ~70 s long polls). On shutdown it stops accepting and lets connections finish until the
/// drain deadline.
public final class TCPPassthroughService: Service, Sendable {
    public struct Settings: Sendable {
        public var connector: String
        public var listen: HostPort
        public var upstream: HostPort
        public var maxConnections: Int
        public var idleTimeout: TimeAmount
        public var connectTimeout: TimeAmount
        public var drainTimeout: TimeAmount

        public init(connector: String, listen: HostPort, upstream: HostPort, maxConnections: Int,
                    idleTimeout: TimeAmount, connectTimeout: TimeAmount, drainTimeout: TimeAmount) {
            self.connector = connector
            self.listen = listen
            self.upstream = upstream
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.connectTimeout = connectTimeout
            self.drainTimeout = drainTimeout
        }
    }

    let settings: Settings
    let group: any EventLoopGroup
    let logger: Logger
    let onListening: @Sendable (SocketAddress) -> Void
    private let open = Atomic<Int>(0)

    public init(settings: Settings, group: any EventLoopGroup, logger: Logger,
                onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.settings = settings
        self.group = group
        self.logger = logger
        self.onListening = onListening
    }

    /// Connections open now (for tests and metrics).
    public var openConnections: Int { open.load(ordering: .relaxed) }

    public func run() async throws {
        let quiesce = ServerQuiescingHelper(group: group)
        let settings = self.settings
        let logger = self.logger
        let service = self
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                service.accept(inbound, settings: settings, logger: logger)
            }
            .bind(host: settings.listen.host, port: settings.listen.port).get()
        guard let local = server.localAddress else { throw ChannelError.unknownLocalAddress }
        logger.info("tcp listener up", metadata: [
            "gateway.connector": "\(settings.connector)", "gateway.listen": "\(local)",
            "gateway.upstream": "\(settings.upstream)",
        ])
        onListening(local)

        try? await gracefulShutdown()

        let drained = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: drained)
        let deadline = group.next().scheduleTask(in: settings.drainTimeout) { drained.fail(CancellationError()) }
        do {
            try await drained.futureResult.get()
            deadline.cancel()
        } catch {
            logger.warning("tcp drain deadline reached; closing the connections still open",
                           metadata: ["gateway.connector": "\(settings.connector)", "gateway.open": "\(openConnections)"])
        }
    }

    private func accept(_ inbound: any Channel, settings: Settings, logger: Logger) -> EventLoopFuture<Void> {
        let count = open.add(1, ordering: .relaxed).newValue
        inbound.closeFuture.whenComplete { [self] _ in _ = open.subtract(1, ordering: .relaxed) }
        guard count <= settings.maxConnections else {
            logger.warning("tcp connection refused: the connector's connection limit is reached", metadata: [
                "gateway.connector": "\(settings.connector)", "gateway.max_connections": "\(settings.maxConnections)",
            ])
            return inbound.close()
        }
        return ClientBootstrap(group: inbound.eventLoop)
            .connectTimeout(settings.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.autoRead, value: false)
            .connect(host: settings.upstream.host, port: settings.upstream.port)
            .assumeIsolated()
            .flatMapThrowing { outbound in
                // Both channels live on this event loop: join them here, then start reading.
                let (inboundGlue, outboundGlue) = GlueHandler.matchedPair()
                try outbound.pipeline.syncOperations.addHandler(outboundGlue)
                let sync = inbound.pipeline.syncOperations
                try sync.addHandler(IdleStateHandler(allTimeout: settings.idleTimeout))
                try sync.addHandler(IdleCloser())
                try sync.addHandler(inboundGlue)
                inbound.closeFuture.whenComplete { _ in outbound.close(promise: nil) }
                try outbound.syncOptions?.setOption(.autoRead, value: true)
                try inbound.syncOptions?.setOption(.autoRead, value: true)
            }
            .nonisolated()
            .flatMapError { error in
                logger.warning("tcp upstream unreachable; closing the caller's connection", metadata: [
                    "gateway.connector": "\(settings.connector)", "gateway.upstream": "\(settings.upstream)",
                    "gateway.error": "\(error)",
                ])
                return inbound.close()
            }
    }
}
