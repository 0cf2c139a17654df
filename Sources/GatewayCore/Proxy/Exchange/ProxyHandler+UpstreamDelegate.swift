import NIOCore
import NIOHTTP1

/// The upstream connection's events, each fed to the current exchange.
extension ProxyHandler: UpstreamDelegate {
    func upstreamReceived(_ part: HTTPClientResponsePart) {
        let now = self.now
        switch part {
        case let .head(head):
            trace?.responseHead(status: Int(head.status.code))
            let quiescing = machine.quiescing
            exchangeEvent { $0.responseHeadReceived(head, quiescing: quiescing, now: now) }
        case let .body(buffer):
            exchangeEvent { $0.responseBodyReceived(buffer, now: now) }
        case let .end(trailers):
            let quiescing = machine.quiescing
            exchangeEvent { $0.responseEndReceived(trailers, quiescing: quiescing) }
        }
    }

    func upstreamReadComplete() {
        guard callerNeedsFlush, let context else { return }
        callerNeedsFlush = false
        context.flush()
    }

    func upstreamWritabilityChanged(_ writable: Bool) {
        if writable, machine.resumeRead(upstreamWritable: writable) { context?.read() }
    }

    func upstreamFailed(_ error: any Error) {
        exchangeEvent { $0.upstreamFailed(UpstreamFailure.proxyError(for: error, target: $0.target)) }
    }

    func upstreamClosed() {
        exchangeEvent { $0.upstreamFailed(UpstreamFailure.closedBeforeAnswer($0.target)) }
    }
}
