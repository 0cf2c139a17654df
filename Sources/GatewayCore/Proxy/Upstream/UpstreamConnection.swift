import NIOCore

/// One keep-alive connection to an upstream, owned by its event loop's pool.
final class UpstreamConnection {
    let channel: any Channel
    let handler: UpstreamHandler
    let connector: String
    var idleSince: NIODeadline

    init(channel: any Channel, handler: UpstreamHandler, connector: String, since: NIODeadline) {
        self.channel = channel
        self.handler = handler
        self.connector = connector
        self.idleSince = since
    }

    var isUsable: Bool { handler.isActive }
}
