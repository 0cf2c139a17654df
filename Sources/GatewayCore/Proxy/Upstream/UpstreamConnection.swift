import NIOCore

/// One keep-alive connection to an upstream, owned by its event loop's pool.
/// Properties `@exclusivity(unchecked)`: loop-confined data-path state (see `ProxyHandler`).
final class UpstreamConnection {
    let channel: any Channel
    let handler: UpstreamHandler
    /// Its pool key's connections (a cycle while it is idle there, broken when it leaves).
    let slot: UpstreamPool.Slot
    @exclusivity(unchecked) var idleSince: NIODeadline

    init(channel: any Channel, handler: UpstreamHandler, slot: UpstreamPool.Slot, since: NIODeadline) {
        self.channel = channel
        self.handler = handler
        self.slot = slot
        self.idleSince = since
    }

    var isUsable: Bool { handler.isActive }
}
