import NIOCore
import NIOHTTP1

/// What an upstream connection reports to the exchange currently using it.
protocol UpstreamDelegate: AnyObject {
    func upstreamReceived(_ part: HTTPClientResponsePart)
    func upstreamReadComplete()
    func upstreamWritabilityChanged(_ writable: Bool)
    func upstreamFailed(_ error: any Error)
    func upstreamClosed()
}
