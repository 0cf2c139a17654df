import Logging
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL
import Synchronization

/// A connector's own TCP listener (Temporal): every accepted connection is joined byte for byte
/// to the upstream address, so TLS and gRPC stay end to end; or, with `listen_tls`, TLS is
/// terminated here, the caller's client certificate must be a principal allowed on the connector
/// (when principals are configured), and the upstream is dialled afresh (TLS again when the
/// connector's `tls` is true). Limits the connections held at once
/// and closes a connection silent in both directions for the idle timeout (at least 90 s: workers
/// hold ~70 s long polls). A reload that keeps the address updates the settings in place: new
/// connections use the new upstream and limits, open ones keep theirs.
package final class TCPListener: Listener {
    package struct Settings: Sendable, Equatable {
        package var connector: String
        package var listen: HostPort
        package var upstream: HostPort
        package var maxConnections: Int
        package var idleTimeout: TimeAmount
        package var connectTimeout: TimeAmount
        /// `listen_tls`: TLS terminated on this listener; nil: bytes passed through.
        package var termination: TCPTermination?
        /// The listener speaks gRPC (HTTP/2) and checks every call; nil: a byte stream.
        var grpc: GRPCTransport?

        package init(
            connector: String, listen: HostPort, upstream: HostPort, maxConnections: Int,
            idleTimeout: TimeAmount, connectTimeout: TimeAmount, termination: TCPTermination? = nil
        ) {
            self.termination = termination
            self.connector = connector
            self.listen = listen
            self.upstream = upstream
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.connectTimeout = connectTimeout
        }
    }

    package let name: String
    package let address: HostPort
    private let current: Mutex<Settings>
    private let group: any EventLoopGroup
    let logger: Logger
    private let quiesce: ServerQuiescingHelper
    private let open = Atomic<Int>(0)
    /// The principals of the configuration in use (read at every connection, or every gRPC call).
    let principals: @Sendable () -> PrincipalDirectory
    /// The secrets in use (a gRPC listener's injected credential), and whether access lines are written.
    let secrets: @Sendable () -> SecretStore
    let accessLog: @Sendable () -> Bool
    let grpcMetrics: GRPCCallMetrics
    /// The request limits in use (a gRPC listener admits every call under them).
    let limits: @Sendable () -> RequestLimits?
    /// The process's tracer (gRPC calls are traced like requests), when tracing is on.
    let tracer: RequestTracer?

    package convenience init(
        settings: Settings, group: any EventLoopGroup, logger: Logger,
        principals: @escaping @Sendable () -> PrincipalDirectory = { PrincipalDirectory(principals: [], secrets: SecretStore()) },
        secrets: @escaping @Sendable () -> SecretStore = { SecretStore() }, accessLog: @escaping @Sendable () -> Bool = { true }
    ) {
        self.init(
            settings: settings, group: group, logger: logger, principals: principals, secrets: secrets, accessLog: accessLog,
            grpcMetrics: GRPCCallMetrics(), limits: { nil }, tracer: nil)
    }

    init(
        settings: Settings, group: any EventLoopGroup, logger: Logger, principals: @escaping @Sendable () -> PrincipalDirectory,
        secrets: @escaping @Sendable () -> SecretStore, accessLog: @escaping @Sendable () -> Bool, grpcMetrics: GRPCCallMetrics,
        limits: @escaping @Sendable () -> RequestLimits?, tracer: RequestTracer?
    ) {
        self.tracer = tracer
        self.limits = limits
        self.secrets = secrets
        self.accessLog = accessLog
        self.grpcMetrics = grpcMetrics
        self.principals = principals
        self.name = "tcp:\(settings.connector)"
        self.address = settings.listen
        self.current = Mutex(settings)
        self.group = group
        self.logger = logger
        self.quiesce = ServerQuiescingHelper(group: group)
    }

    package var settings: Settings { current.withLock { $0 } }

    /// New connections use `settings` (same listen address; a new address needs a new listener).
    /// gRPC callers get GOAWAY when what their connection was set up with changed (upstream,
    /// TLS, call policy): their calls in flight finish, and they reconnect to the new settings.
    func update(_ settings: Settings) {
        let old = current.withLock { current in
            defer { current = settings }
            return current
        }
        if old.grpc != settings.grpc || old.termination != settings.termination {
            for connection in grpcConnections.withLock({ Array($0.values) }) { connection.goAway() }
        }
    }

    /// gRPC caller connections open now.
    private let grpcConnections = Mutex<[ObjectIdentifier: GRPCConnectionEntry]>([:])

    func track(_ connection: GRPCConnectionEntry) {
        grpcConnections.withLock { $0[ObjectIdentifier(connection.channel)] = connection }
    }

    func untrack(_ channel: any Channel) {
        _ = grpcConnections.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Ends the gRPC calls still in flight with `UNAVAILABLE` (the SDKs retry it) and closes
    /// their connections: what a shutdown does once its drain deadline has passed.
    func endGRPCCalls(reason: String) async {
        let connections = grpcConnections.withLock { Array($0.values) }
        for connection in connections { try? await connection.endCalls(reason: reason).get() }
    }

    /// Connections open now (for tests and metrics).
    package var openConnections: Int { open.load(ordering: .relaxed) }

    package func start() async throws -> SocketAddress {
        let server = try await quiesce.serverBootstrap(group: group, backlog: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { [self] inbound in accept(inbound) }
            .bind(host: address.host, port: address.port).get()
        guard let local = server.localAddress else {
            try? await server.close()
            throw ChannelError.unknownLocalAddress
        }
        let settings = self.settings
        logger.info(
            settings.grpc == nil ? "tcp listener up" : "grpc listener up",
            metadata: [
                "gateway.connector": "\(settings.connector)", "gateway.listen": "\(local)",
                "gateway.upstream": "\(settings.upstream)",
                "gateway.tls": "\(settings.termination == nil ? settings.grpc == nil ? "passed through" : "none (h2c)" : "terminated")",
            ])
        return local
    }

    package func drain(deadline: TimeAmount) async -> Bool {
        let drained = await quiesce.drain(on: group.next(), deadline: deadline)
        if !drained {
            logger.warning(
                "tcp drain deadline reached with connections still open",
                metadata: [
                    "gateway.connector": "\(settings.connector)", "gateway.open": "\(openConnections)",
                ])
        }
        return drained
    }

    private func accept(_ inbound: any Channel) -> EventLoopFuture<Void> {
        let settings = self.settings
        let logger = self.logger
        let count = open.add(1, ordering: .relaxed).newValue
        inbound.closeFuture.whenComplete { [self] _ in _ = open.subtract(1, ordering: .relaxed) }
        guard count <= settings.maxConnections else {
            logger.warning(
                "tcp connection refused: the connector's connection limit is reached",
                metadata: [
                    "gateway.connector": "\(settings.connector)", "gateway.max_connections": "\(settings.maxConnections)",
                ])
            return inbound.close()
        }
        if let grpc = settings.grpc { return acceptGRPC(inbound, settings: settings, grpc: grpc) }
        guard let termination = settings.termination else {
            return dial(inbound, settings: settings, tls: nil)
        }
        // TLS: the handshake first, then the caller is admitted (or closed), then the upstream
        // is dialled; what the caller sends meanwhile waits in the gate.
        do {
            let sync = inbound.pipeline.syncOperations
            try sync.addHandler(NIOSSLServerHandler(context: termination.serverContext))
            try sync.addHandler(IdleStateHandler(allTimeout: settings.idleTimeout))
            try sync.addHandler(IdleCloser())
            let peer = inbound.remoteAddress?.ipAddress ?? "unknown"
            let principals = self.principals
            let gate = TCPCallerGate(
                admit: { certificate in
                    Self.decide(certificate, principals: principals(), settings: settings, verifiesCallers: termination.verifiesCallers)
                },
                onRefused: { reason, handshake in
                    // A failed handshake is also what a port probe or a scanner leaves: info, not warning.
                    logger.log(
                        level: handshake ? .info : .warning, "tcp connection refused",
                        metadata: [
                            "gateway.connector": "\(settings.connector)", "gateway.peer": "\(peer)", "gateway.error": "\(reason)",
                        ])
                })
            try sync.addHandler(gate)
            gate.onAdmitted = { [weak gate] principal in
                logger.info(
                    "tcp connection admitted",
                    metadata: [
                        "gateway.connector": "\(settings.connector)", "gateway.peer": "\(peer)",
                        "gateway.principal": "\(principal ?? "-")", "gateway.auth": "\(principal == nil ? "none" : "certificate")",
                    ])
                // On this event loop: the gate lets what it held through once the upstream is joined.
                self.dial(inbound, settings: settings, tls: termination).assumeIsolated().whenSuccess { _ in gate?.release() }
            }
            try inbound.syncOptions?.setOption(.autoRead, value: true)
        } catch {
            return inbound.close()
        }
        return inbound.eventLoop.makeSucceededVoidFuture()
    }

    /// Whether a caller that completed the TLS handshake may use the connector: anyone when no
    /// principals are configured, else only a client certificate of a principal allowed on it.
    static func decide(
        _ certificate: CallerCertificate?, principals: PrincipalDirectory, settings: Settings, verifiesCallers: Bool
    ) -> TCPCallerGate.Decision {
        if principals.isEmpty { return .admit(principal: nil) }
        guard verifiesCallers else {
            return .refuse(reason: "principals are configured but listen_tls has no client_ca_file: no caller can be checked")
        }
        guard let certificate else { return .refuse(reason: "the caller presented no client certificate") }
        switch principals.authenticate(token: nil, certificate: certificate) {
        case let .refused(detail): return .refuse(reason: detail)
        case let .authenticated(principal, _):
            guard principal.mayUse(connector: settings.connector) else {
                return .refuse(
                    reason:
                        "the client certificate (\(certificate)) is principal '\(principal.name)', which may not use connector '\(settings.connector)'"
                )
            }
            return .admit(principal: principal.name)
        }
    }

    /// Dials the upstream (TLS again with `tls`'s upstream context) and joins it to `inbound`.
    private func dial(_ inbound: any Channel, settings: Settings, tls: TCPTermination?) -> EventLoopFuture<Void> {
        let logger = self.logger
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
                if let context = tls?.upstreamContext {
                    try outbound.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: context, serverHostname: tls?.upstreamServerName))
                }
                try outbound.pipeline.syncOperations.addHandler(outboundGlue)
                let sync = inbound.pipeline.syncOperations
                if tls == nil {
                    try sync.addHandler(IdleStateHandler(allTimeout: settings.idleTimeout))
                    try sync.addHandler(IdleCloser())
                }
                try sync.addHandler(inboundGlue)
                inbound.closeFuture.whenComplete { _ in outbound.close(promise: nil) }
                try outbound.syncOptions?.setOption(.autoRead, value: true)
                if tls == nil { try inbound.syncOptions?.setOption(.autoRead, value: true) }
            }
            .nonisolated()
            .flatMapError { error in
                logger.warning(
                    "tcp upstream unreachable; closing the caller's connection",
                    metadata: [
                        "gateway.connector": "\(settings.connector)", "gateway.upstream": "\(settings.upstream)",
                        "gateway.error": "\(error)",
                    ])
                return inbound.close()
            }
    }
}
