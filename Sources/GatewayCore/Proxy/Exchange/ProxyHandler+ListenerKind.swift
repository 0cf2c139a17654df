extension ProxyHandler {
    /// What the connection arrived on: the HTTPS listener, a probes-only plain listener.
    struct ListenerKind: Sendable {
        var tls = false
        var probesOnly = false

        /// The router of a connection on this listener, over `context`.
        func router(_ context: ProxyContext) -> RequestRouter {
            RequestRouter(context, callerScheme: tls ? "https" : "http", probesOnly: probesOnly)
        }

        /// Its place among the kinds (`RouterCache`).
        var cacheIndex: Int { (tls ? 2 : 0) + (probesOnly ? 1 : 0) }
        static let cacheSize = 4
    }
}
