import NIOCore

/// What an upstream connection reports to the exchange currently using it.
protocol UpstreamDelegate: AnyObject {
    /// Returns how the exchange takes a chunked body: as framed, or its data only.
    func upstreamReceivedHead(_ head: UpstreamResponseHead) -> ResponseReader.BodyDelivery
    /// Body bytes, framed as the head declared (see `upstreamReceivedHead`).
    func upstreamReceivedBody(_ buffer: ByteBuffer)
    /// `reusable`: the connection may carry another request.
    func upstreamReceivedEnd(reusable: Bool)
    func upstreamReadComplete()
    func upstreamWritabilityChanged(_ writable: Bool)
    func upstreamFailed(_ error: any Error)
    func upstreamClosed()
    /// Runs `body`, which hands on the events of one read: the delegate may read its clock once
    /// for all of them.
    func upstreamEvents(_ body: () -> Void)
}

extension UpstreamDelegate {
    func upstreamEvents(_ body: () -> Void) { body() }
}
