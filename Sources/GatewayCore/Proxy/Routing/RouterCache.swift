/// The routers of one event loop's connections: one per listener kind, made again when the
/// proxy context is replaced. A connection routes with memory every other request on its loop
/// has just read; a router of its own per connection (about 400 bytes, read once per request)
/// was cold again by the connection's next request. Loop-confined, like the pool that holds it.
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
