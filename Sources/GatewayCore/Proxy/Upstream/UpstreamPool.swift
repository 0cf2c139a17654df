import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Keep-alive upstream connections of one event loop, per connector. Loop-confined: every
/// method runs on `eventLoop`, so no locks. New connections are made on the same loop as the
/// caller's connection, so a request never hops threads.
/// Properties `@exclusivity(unchecked)`: loop-confined data-path state (see `ProxyHandler`).
final class UpstreamPool {
    typealias Completion = (Result<(UpstreamConnection, reused: Bool), any Error>) -> Void

    /// A pooled connection idle longer than this is closed rather than reused: upstreams
    /// commonly drop idle keep-alive connections after 60-75 s, and reusing one just as it is
    /// closed would fail a request.
    static let maxIdle = TimeAmount.seconds(50)

    struct Waiter {
        var target: UpstreamTarget
        var completion: Completion
        var deadline: NIODeadline
    }

    /// Opens a connection to a target with the upstream pipeline in place.
    typealias Dial = (UpstreamTarget, any EventLoop) -> EventLoopFuture<any Channel>

    let eventLoop: any EventLoop
    let metrics: GatewayMetrics
    /// This loop's share of the request metrics (no lock shared with another loop).
    let counters: RequestCounters
    /// The routers this loop's caller connections share.
    let routers = RouterCache()
    private let dial: Dial
    /// One per pool key, at the key's number (`UpstreamTarget.poolIndex`); a connection holds
    /// its own, so giving it back looks nothing up.
    @exclusivity(unchecked) private var slots: [Slot?] = []

    /// The connections of one pool key.
    final class Slot {
        /// Open and unused, the most recently used last.
        @exclusivity(unchecked) var idle: [UpstreamConnection] = []
        /// Callers waiting for a connection (the key's max_connections are all open).
        @exclusivity(unchecked) var waiters: [Waiter] = []
        /// Connections open or being opened.
        @exclusivity(unchecked) var open = 0
    }

    /// `target`'s slot if this pool has made it.
    private func existingSlot(_ target: UpstreamTarget) -> Slot? {
        target.poolIndex < slots.count ? slots[target.poolIndex] : nil
    }

    private func slot(_ target: UpstreamTarget) -> Slot {
        if let slot = existingSlot(target) { return slot }
        if target.poolIndex >= slots.count { slots.append(contentsOf: repeatElement(nil, count: target.poolIndex + 1 - slots.count)) }
        let slot = Slot()
        slots[target.poolIndex] = slot
        return slot
    }

    /// `dial` is TCP (and TLS) by default; tests give channels of their own.
    init(eventLoop: any EventLoop, metrics: GatewayMetrics, dial: @escaping Dial = UpstreamPool.dialTCP) {
        self.eventLoop = eventLoop
        self.metrics = metrics
        self.counters = metrics.makeCounters()
        self.dial = dial
    }

    /// A TCP connection to the target (with TLS when the target has a context).
    static func dialTCP(_ target: UpstreamTarget, on eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        let tlsContext = target.tlsContext
        let serverHostname = target.serverHostname
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(target.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext {
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname))
                    }
                    try addHTTPHandlers(sync)
                }
            }
            .connect(host: target.host, port: target.port)
    }

    /// The HTTP part of an upstream connection's pipeline: one handler, which frames requests
    /// with the gateway's own encoder (the framing written is the framing the head declares,
    /// whatever the method) and reads the answers. No header
    /// validator per write: the caller's headers were read by `RequestReader` (no CR, LF or NUL
    /// in a value), and the values the gateway adds are checked when routes are built
    /// (`HeaderValueIssue`).
    static func addHTTPHandlers(_ sync: ChannelPipeline.SynchronousOperations) throws {
        try sync.addHandler(UpstreamHandler())
    }

    /// An idle connection for `target` that is still open and was not idle too long, or nil.
    /// Synchronous, so the common case (a warm pool) costs no callback.
    func takeIdle(_ target: UpstreamTarget, now: NIODeadline) -> UpstreamConnection? {
        assert(eventLoop.inEventLoop)
        guard let slot = existingSlot(target) else { return nil }
        while let connection = slot.idle.popLast() {  // in place: no copy of the list
            if connection.isUsable && now - connection.idleSince < Self.maxIdle {
                counters.upstreamConnection(reused: true)
                return connection
            }
            connection.channel.close(promise: nil)
        }
        return nil
    }

    /// Hands `completion` an idle connection for `target`, or a new one. `reused` tells the
    /// caller whether a failure before the response may be the pool's fault (worth one retry).
    func acquire(_ target: UpstreamTarget, fresh: Bool = false, completion: @escaping Completion) {
        eventLoop.preconditionInEventLoop()
        let now = eventLoop.now
        if !fresh, let connection = takeIdle(target, now: now) {
            completion(.success((connection, true)))
            return
        }
        let slot = slot(target)
        if slot.open >= target.maxConnectionsPerLoop {
            slot.waiters.append(Waiter(target: target, completion: completion, deadline: now + target.connectTimeout))
            scheduleWaiterExpiry(target)
            return
        }
        connect(target) { result in completion(result.map { ($0, false) }) }
    }

    /// Returns a connection whose exchange completed cleanly (request sent, response read,
    /// keep-alive): to the next waiter, or to the idle list.
    func release(_ connection: UpstreamConnection, now: NIODeadline) {
        connection.handler.delegate = nil
        connection.handler.resumeReads()
        guard connection.isUsable else { return }
        let slot = connection.slot
        if !slot.waiters.isEmpty {
            let waiter = slot.waiters.removeFirst()
            counters.upstreamConnection(reused: true)
            waiter.completion(.success((connection, true)))
            return
        }
        connection.idleSince = now
        slot.idle.append(connection)
    }

    /// Closes a connection that cannot be reused (its exchange ended early or failed).
    func discard(_ connection: UpstreamConnection) {
        connection.handler.delegate = nil
        connection.channel.close(promise: nil)
    }

    /// A connection that became a tunnel: it leaves the pool for good and no longer counts
    /// against the connector's max_connections.
    func detach(_ connection: UpstreamConnection) {
        connection.handler.delegate = nil
        connection.handler.onClose = nil
        forget(connection)
    }

    /// Closes every idle connection (at shutdown).
    func closeIdle() {
        for case let slot? in slots {
            let idle = slot.idle
            slot.idle = []
            for connection in idle { connection.channel.close(promise: nil) }
        }
    }

    private func connect(_ target: UpstreamTarget, completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        let slot = slot(target)
        slot.open += 1
        counters.upstreamConnection(reused: false)
        dial(target, eventLoop)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case let .success(channel):
                    do {
                        let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
                        let connection = UpstreamConnection(channel: channel, handler: handler, slot: slot, since: self.eventLoop.now)
                        handler.onClose = { [weak self] in self?.forget(connection) }
                        completion(.success(connection))
                    } catch {
                        channel.close(promise: nil)
                        slot.open -= 1
                        completion(.failure(error))
                    }
                case let .failure(error):
                    slot.open -= 1
                    self.serveWaiter(slot)
                    completion(.failure(error))
                }
            }
    }

    /// A connection closed: it no longer counts, and a waiter may now connect.
    private func forget(_ connection: UpstreamConnection) {
        let slot = connection.slot
        slot.open -= 1
        if let index = slot.idle.firstIndex(where: { $0 === connection }) { slot.idle.remove(at: index) }
        serveWaiter(slot)
    }

    /// A connection of `slot` closed or failed to open: open one for its oldest waiter, if any.
    private func serveWaiter(_ slot: Slot) {
        guard !slot.waiters.isEmpty else { return }
        let waiter = slot.waiters.removeFirst()
        connect(waiter.target) { result in waiter.completion(result.map { ($0, false) }) }
    }

    private func scheduleWaiterExpiry(_ target: UpstreamTarget) {
        eventLoop.assumeIsolated().scheduleTask(deadline: eventLoop.now + target.connectTimeout) { [weak self] in
            guard let self, let slot = self.existingSlot(target) else { return }
            let now = self.eventLoop.now
            while let first = slot.waiters.first, first.deadline <= now {
                slot.waiters.removeFirst()
                first.completion(
                    .failure(
                        ProxyError(
                            .limit, status: 503, title: "Upstream connections exhausted",
                            detail:
                                "All \(target.maxConnectionsPerLoop) upstream connections of '\(target.connector)' on this event loop stayed busy for \(target.connectTimeout.nanoseconds / 1_000_000) ms (limits.max_connections)."
                        )))
            }
        }
    }
}
