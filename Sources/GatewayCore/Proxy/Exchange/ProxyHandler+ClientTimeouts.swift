import NIOCore

/// The time the caller may spend without a request (`ClientTimeouts`), on the connection's
/// second timer, and the answers written below the HTTP encoder before the connection closes.
extension ProxyHandler {
    /// Makes sure the client timer fires no later than `deadline` (when there is one).
    func armClientTimer(_ deadline: NIODeadline?) {
        guard let deadline, let context else { return }
        clientTimer.fire(noLaterThan: deadline, on: context.eventLoop)
    }

    func clientTimerFired() {
        guard let context else { return }
        switch clientTimeouts.fired(now: context.eventLoop.now) {
        case let .notYet(deadline): armClientTimer(deadline)
        case .close: context.close(promise: nil)
        case let .requestTimeout(error): writeRawAndClose(RawErrorResponse.bytes(error, allocator: context.channel.allocator))
        }
    }

    /// Writes `bytes` straight to the socket, below the HTTP encoder, and closes: for bytes that
    /// are no request, and answers the encoder cannot frame (a response to CONNECT loses its
    /// body there).
    func writeRawAndClose(_ bytes: ByteBuffer) {
        guard let context, let bytesContext else { return }
        clientTimeouts.requestStarted()  // no deadline of its own: the connection closes
        writeCallerBatch()
        bytesContext.writeAndFlush(NIOAny(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
