import NIOCore

extension ProxyHandler {
    /// What the connection arrived on: the HTTPS listener, a probes-only plain listener.
    struct ListenerKind: Sendable {
        var tls = false
        var probesOnly = false
    }

    /// The event loop's clock (a test's `EmbeddedEventLoop` moves it by hand).
    var now: NIODeadline { context?.eventLoop.now ?? .now() }
}
