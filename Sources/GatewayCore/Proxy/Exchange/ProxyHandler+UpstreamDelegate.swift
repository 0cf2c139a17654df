import NIOCore

/// The upstream connection's events, each fed to the current exchange.
extension ProxyHandler: UpstreamDelegate {
    func upstreamReceivedHead(_ head: UpstreamResponseHead) -> ResponseReader.BodyDelivery {
        atOneInstant {
            let now = self.now
            trace?.responseHead(status: head.status)
            let quiescing = machine.quiescing
            exchangeEvent { $0.responseHeadReceived(head, quiescing: quiescing, now: now) }
            return machine.exchange?.machine.responseBodyDelivery ?? .framed
        }
    }

    func upstreamReceivedBody(_ buffer: ByteBuffer) {
        atOneInstant {
            let now = self.now
            exchangeEvent { $0.responseBodyReceived(buffer, now: now) }
        }
    }

    func upstreamReceivedEnd(reusable: Bool) {
        atOneInstant {
            let quiescing = machine.quiescing
            exchangeEvent { $0.responseEndReceived(reusable: reusable, quiescing: quiescing) }
        }
    }

    func upstreamEvents(_ body: () -> Void) {
        atOneInstant(body)
    }

    func upstreamReadComplete() {
        guard callerNeedsFlush, let bytesContext else { return }
        callerNeedsFlush = false
        writeCallerBatch()
        bytesContext.flush()
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
