import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Owns the gateway's listeners. At start it binds every address the configuration asks for (any
/// failure stops the start: never half-configured); on reload it binds the addresses that changed
/// *before* the new configuration is swapped in, then retires the old ones, which stop accepting
/// and let their open connections finish while every other listener keeps serving; on graceful
/// shutdown it drains them all up to `gateway.drain_timeout`.
package final class ListenerSupervisor: Service, Sendable {
    /// The listeners a reload binds or keeps, not yet in use until `commit`.
    struct Change: Sendable {
        fileprivate let plan: ListenerPlan
        fileprivate let http: (listener: HTTPListener, bound: SocketAddress)?
        /// The plain listener is no longer wanted (gateway.plain_http: off).
        fileprivate let httpRemoved: Bool
        fileprivate let https: (listener: HTTPListener, bound: SocketAddress)?
        fileprivate let httpsRemoved: Bool
        fileprivate let tcp: [String: TCPListener]
    }

    private struct State {
        var plan: ListenerPlan?
        var http: HTTPListener?
        var https: HTTPListener?
        var tcp: [String: TCPListener] = [:]
        var retiring: [Task<Void, Never>] = []
        var onListening: @Sendable (SocketAddress) -> Void = { _ in }
        var onListeningTLS: @Sendable (SocketAddress) -> Void = { _ in }
    }

    private let holder: ProxyContextHolder
    private let group: MultiThreadedEventLoopGroup
    private let pools: PoolDirectory
    private let httpOverride: HostPort?
    private let logger: Logger
    /// The HTTPS listener's certificate (loaded before the listener binds).
    let certificate: ServerCertificate
    private let state = Mutex(State())
    /// Per-call metrics of the listeners that speak gRPC (on `/metrics`).
    let grpcMetrics = GRPCCallMetrics()

    /// `httpOverride` (`serve --listen`) replaces `gateway.listen` for the life of the process.
    package init(
        holder: ProxyContextHolder, group: MultiThreadedEventLoopGroup, httpOverride: HostPort?, logger: Logger,
        certificate: ServerCertificate = ServerCertificate()
    ) {
        self.certificate = certificate
        self.holder = holder
        self.group = group
        self.httpOverride = httpOverride
        self.logger = logger
        self.pools = PoolDirectory(group: group, metrics: holder.context.metrics)
        let grpcMetrics = self.grpcMetrics
        holder.context.metrics.appendText { grpcMetrics.render() }
    }

    /// Called with the bound address whenever the HTTP listener is bound (at start, and when a
    /// reload moves it).
    package func onListening(_ callback: @escaping @Sendable (SocketAddress) -> Void) {
        state.withLock { $0.onListening = callback }
    }

    /// Called with the HTTPS listener's bound address whenever it is bound.
    package func onListeningTLS(_ callback: @escaping @Sendable (SocketAddress) -> Void) {
        state.withLock { $0.onListeningTLS = callback }
    }

    /// The TCP listeners in use now, by connector.
    package var tcpListeners: [String: TCPListener] { state.withLock { $0.tcp } }

    package func run() async throws {
        commit(try await prepare(for: holder.context.configuration, secrets: holder.context.secrets))
        holder.context.setReady(true)

        try? await gracefulShutdown()

        holder.context.setReady(false)
        let deadline = TimeAmount(seconds: holder.context.configuration.gateway.drainTimeout)
        logger.info("draining", metadata: ["gateway.drain_timeout_ms": "\(deadline.nanoseconds / 1_000_000)"])
        let (listeners, retiring) = state.withLock { state -> ([any Listener], [Task<Void, Never>]) in
            defer { state = State() }
            return ((state.http.map { [$0] } ?? []) + (state.https.map { [$0] } ?? []) + Array(state.tcp.values), state.retiring)
        }
        let drained = await Self.drain(listeners, deadline: deadline)
        if drained {
            logger.info("drained: every request in flight finished")
        } else {
            logger.warning("drain deadline reached: closing the connections still open")
            // gRPC calls end with UNAVAILABLE trailers (retried by the SDKs), not a reset.
            for listener in listeners.compactMap({ $0 as? TCPListener }) {
                await listener.endGRPCCalls(reason: "the gateway is shutting down (drain deadline reached); retry")
            }
            // WebSocket tunnels end properly: a close frame 1001 to both sides, between messages.
            let ended = await holder.tunnels.goAway(.drain)
            if ended > 0 { logger.info("WebSocket tunnels closed with 1001 going away", metadata: ["gateway.tunnels": "\(ended)"]) }
        }
        for task in retiring { await task.value }
        await pools.closeIdle()
    }

    /// Binds what `configuration` needs and the running listeners do not have. Throws (after
    /// closing whatever it bound) when an address cannot be bound, or a TCP listener's TLS
    /// (`listen_tls`) does not load; nothing running is touched. `secrets` resolve references in
    /// `listen_tls` (the current context's when nil).
    func prepare(for configuration: GatewayConfiguration, secrets: SecretStore? = nil) async throws(ListenerBindError) -> Change {
        var plan = ListenerPlan(configuration: configuration, httpOverride: httpOverride)
        for (name, settings) in plan.tcp {
            guard let connector = configuration.connectors.first(where: { $0.name == name }) else { continue }
            let policy = connector.kind.tcpRoute(for: connector)?.grpc
            do throws(TLSMaterialError) {
                plan.tcp[name]?.termination = try TCPTermination(
                    connector: connector, configuration: configuration, secrets: secrets ?? holder.context.secrets,
                    callerCertificates: policy == nil ? .required : .optional)
                if let policy {
                    plan.tcp[name]?.grpc = try GRPCTransport(
                        connector: connector, policy: policy, configuration: configuration,
                        secrets: secrets ?? holder.context.secrets, address: settings.upstream, connectTimeout: settings.connectTimeout)
                }
            } catch {
                throw ListenerBindError(listener: "tcp:\(name)", address: settings.listen, reason: error.description)
            }
        }
        let (running, tcpRunning) = state.withLock { ($0.plan, $0.tcp) }
        if httpOverride != nil, running != nil,
            configuration.gateway.listen != holder.context.configuration.gateway.listen
        {
            logger.warning(
                "gateway.listen changed, but --listen overrides it; the HTTP listener stays",
                metadata: [
                    "gateway.listen": "\(plan.http.map { "\($0)" } ?? "off")", "gateway.listen.configured": "\(configuration.gateway.listen)",
                ])
        }
        var started: [any Listener] = []
        do {
            var http: (HTTPListener, SocketAddress)?
            if let address = plan.http, address != running?.http || plan.httpProbesOnly != running?.httpProbesOnly {
                let listener = HTTPListener(
                    address: address, holder: holder, group: group, pools: pools, probesOnly: plan.httpProbesOnly)
                http = (listener, try await bind(listener))
                started.append(listener)
            }
            var https: (HTTPListener, SocketAddress)?
            if let address = plan.https, address != running?.https {
                guard certificate.context != nil else {
                    throw ListenerBindError(
                        listener: "https", address: address,
                        reason: "no TLS certificate is loaded (gateway.tls); restart the gateway to turn TLS on")
                }
                let listener = HTTPListener(address: address, holder: holder, group: group, pools: pools, certificate: certificate)
                https = (listener, try await bind(listener))
                started.append(listener)
            }
            var tcp: [String: TCPListener] = [:]
            for (name, settings) in plan.tcp.sorted(by: { $0.key < $1.key }) {
                if let existing = tcpRunning[name], existing.address == settings.listen {
                    tcp[name] = existing
                    continue
                }
                var tcpLogger = logger
                tcpLogger[metadataKey: "gateway.connector"] = "\(name)"
                let holder = self.holder
                let listener = TCPListener(
                    settings: settings, group: group, logger: tcpLogger, principals: { holder.context.principals },
                    secrets: { holder.context.secrets }, accessLog: { holder.context.accessLog }, grpcMetrics: grpcMetrics,
                    limits: { holder.context.requestLimits }, tracer: holder.tracer)
                _ = try await bind(listener)
                started.append(listener)
                tcp[name] = listener
            }
            return Change(
                plan: plan, http: http, httpRemoved: plan.http == nil, https: https, httpsRemoved: plan.https == nil, tcp: tcp)
        } catch let error as ListenerBindError {
            _ = await Self.drain(started, deadline: .zero)
            throw error
        } catch {
            _ = await Self.drain(started, deadline: .zero)
            throw ListenerBindError(listener: "https", address: plan.https ?? HostPort(host: "?", port: 0), reason: "\(error)")
        }
    }

    /// Puts `change` in use: kept TCP listeners take their new settings, new listeners are
    /// recorded, and the listeners no longer wanted are retired (they stop accepting now and their
    /// open connections finish on their own, bounded by the drain deadline).
    func commit(_ change: Change) {
        let deadline = TimeAmount(seconds: holder.context.configuration.gateway.drainTimeout)
        let (retired, onListening, onListeningTLS) = state.withLock {
            state -> ([any Listener], @Sendable (SocketAddress) -> Void, @Sendable (SocketAddress) -> Void) in
            var retired: [any Listener] = []
            if let http = change.http {
                if let old = state.http { retired.append(old) }
                state.http = http.listener
            } else if change.httpRemoved, let old = state.http {
                retired.append(old)
                state.http = nil
            }
            if let https = change.https {
                if let old = state.https { retired.append(old) }
                state.https = https.listener
            } else if change.httpsRemoved, let old = state.https {
                retired.append(old)
                state.https = nil
            }
            for (name, listener) in state.tcp where change.tcp[name] !== listener {
                retired.append(listener)
            }
            state.tcp = change.tcp
            state.plan = change.plan
            return (retired, state.onListening, state.onListeningTLS)
        }
        for (name, listener) in change.tcp {
            if let settings = change.plan.tcp[name], settings != listener.settings { listener.update(settings) }
        }
        if let http = change.http { onListening(http.bound) }
        if let https = change.https { onListeningTLS(https.bound) }
        guard !retired.isEmpty else { return }
        let logger = self.logger
        let task = Task {
            for listener in retired {
                logger.info(
                    "listener retired: it stops accepting and its open connections finish",
                    metadata: [
                        "gateway.listener": "\(listener.name)", "gateway.listen": "\(listener.address)",
                    ])
            }
            if !(await Self.drain(retired, deadline: deadline)) {
                logger.warning("a retired listener's connections outlived the drain deadline; they close on their own")
            }
        }
        state.withLock { $0.retiring.append(task) }
    }

    private func bind(_ listener: some Listener) async throws(ListenerBindError) -> SocketAddress {
        do {
            return try await listener.start()
        } catch {
            throw ListenerBindError(listener: listener.name, address: listener.address, reason: Self.reason(error))
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return "\(String(cString: strerror(io.errnoCode))) (errno \(io.errnoCode))" }
        return "\(error)"
    }

    /// Drains `listeners` at once; true when every one finished before `deadline`.
    private static func drain(_ listeners: [any Listener], deadline: TimeAmount) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            for listener in listeners { group.addTask { await listener.drain(deadline: deadline) } }
            return await group.reduce(true) { $0 && $1 }
        }
    }
}
