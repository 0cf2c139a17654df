extension ProxyHandler {
    /// What the connection arrived on: the HTTPS listener, a probes-only plain listener.
    struct ListenerKind: Sendable {
        var tls = false
        var probesOnly = false

        /// The router of a connection on this listener, over `context`.
        func router(_ context: ProxyContext) -> Routing {
            var router = RequestRouter(context)
            router.callerScheme = tls ? "https" : "http"
            router.probesOnly = probesOnly
            return Routing(router)
        }
    }

    /// A connection's router, held in a class's `let`: a method called on a struct in a
    /// class's `var` runs on a copy of it (a retain and a release per reference it holds, every
    /// request); one in a `let` is read in place.
    final class Routing {
        let router: RequestRouter

        init(_ router: RequestRouter) {
            self.router = router
        }
    }
}
