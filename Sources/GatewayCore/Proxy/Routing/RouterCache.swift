/// The routers of one event loop's connections: one per listener kind, made again when the
/// proxy context is replaced. A router is about 400 bytes; sharing one per loop keeps that out of
/// every idle keep-alive connection and builds it once per loop instead of once per connection.
/// Loop-confined, like the pool that holds it.
final class RouterCache {
    @exclusivity(unchecked) private var context: ProxyContext?
    /// At `ListenerKind.cacheIndex`.
    @exclusivity(unchecked) private var routers: [RequestRouter?] = []

    init() {}

    /// The router for connections on `kind` over `context`.
    func router(for kind: ProxyHandler.ListenerKind, context: ProxyContext) -> RequestRouter {
        if self.context !== context {
            self.context = context
            routers = Array(repeating: nil, count: ProxyHandler.ListenerKind.cacheSize)
        }
        if let router = routers[kind.cacheIndex] { return router }
        let router = kind.router(context)
        routers[kind.cacheIndex] = router
        return router
    }
}
