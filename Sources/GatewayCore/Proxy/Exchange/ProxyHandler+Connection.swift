import NIOCore

extension ProxyHandler {
    /// The event loop's clock (a test's `EmbeddedEventLoop` moves it by hand).
    var now: NIODeadline { context?.eventLoop.now ?? .now() }
}
