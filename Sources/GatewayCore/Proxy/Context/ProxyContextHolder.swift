import Synchronization

/// The current `ProxyContext`, swappable while the gateway runs (secret rotation, reload).
/// Connections read a generation number per request and fetch the new context only when it
/// changed; requests in flight keep the context (and upstream target) they started with.
package final class ProxyContextHolder: Sendable {
    private let generationCounter = Atomic<Int>(0)
    private let current: Mutex<ProxyContext>
    /// Caller connections open on every HTTP listener (`gateway.limits.max_client_connections`).
    package let connections = ConnectionLimiter()
    /// WebSocket tunnels open in the process (caps and metrics; a reload keeps them).
    package let tunnels: Tunnels
    /// The process's tracer when `gateway.telemetry` turns tracing on (a reload keeps it).
    package let tracer: RequestTracer?
    private let replacementsBroadcast = Broadcast<Void>()

    package init(_ context: ProxyContext, tunnels: Tunnels = Tunnels(), tracer: RequestTracer? = nil) {
        current = Mutex(context)
        self.tunnels = tunnels
        self.tracer = tracer
    }

    package var generation: Int { generationCounter.load(ordering: .acquiring) }

    package var context: ProxyContext { current.withLock { $0 } }

    /// One element each time a context is installed from now on (a reload, a secret rotation;
    /// several at once may arrive as one): read `context` then for the current one. Subscribe
    /// before reading `context` the first time, so no change is missed.
    package func replacements() -> AsyncStream<Void> { replacementsBroadcast.subscribe() }

    /// Installs `context` for every request that starts from now on.
    package func replace(with context: ProxyContext) {
        current.withLock { installed in
            installed = context
            generationCounter.add(1, ordering: .releasing)
        }
        replacementsBroadcast.publish(())
    }

    /// Installs `context` only if nothing was installed since `generation` was read (a secret
    /// refresh built from an older context must not undo a reload); true when installed.
    package func replace(with context: ProxyContext, ifStill generation: Int) -> Bool {
        let installed = current.withLock { installed in
            guard generationCounter.load(ordering: .acquiring) == generation else { return false }
            installed = context
            generationCounter.add(1, ordering: .releasing)
            return true
        }
        if installed { replacementsBroadcast.publish(()) }
        return installed
    }
}
