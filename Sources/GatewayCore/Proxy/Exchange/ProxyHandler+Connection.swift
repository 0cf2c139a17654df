import NIOCore

extension ProxyHandler {
    /// The event loop's clock (a test's `EmbeddedEventLoop` moves it by hand): within
    /// `atOneInstant`, the instant read when the event began.
    var now: NIODeadline { eventNow ?? context?.eventLoop.now ?? .now() }

    /// Runs one event's steps (routing, attaching a pooled connection, the exchange's
    /// transitions, the timers) with the clock read once for all of them rather than at each.
    @inline(__always)
    func atOneInstant<Result>(_ body: () -> Result) -> Result {
        guard eventNow == nil else { return body() }
        eventNow = context?.eventLoop.now ?? .now()
        defer { eventNow = nil }
        return body()
    }

    // MARK: - The upstream connection

    func acquire(_ target: UpstreamTarget, fresh: Bool) {
        traceAttemptStarted()
        if !fresh, let idle = pool.takeIdle(target, now: now) {
            return attach(idle, reused: true)
        }
        let serial = exchangeSerial
        // No idle connection was there (or a fresh one is wanted): the pool dials or queues.
        pool.acquire(target, fresh: true) { result in
            guard serial == self.exchangeSerial, self.machine.exchange?.machine.isFinished == false, self.context != nil else {
                if case let .success((connection, _)) = result { self.pool.release(connection, now: self.now) }
                return
            }
            switch result {
            case let .success((connection, reused)):
                self.attach(connection, reused: reused)
            case let .failure(error):
                self.exchangeEvent { $0.connectionFailed(UpstreamFailure.proxyError(for: error, target: target)) }
            }
        }
    }

    func attach(_ connection: UpstreamConnection, reused: Bool) {
        self.connection = connection
        connection.handler.delegate = self
        if context?.channel.isWritable == true { connection.handler.resumeReads() } else { connection.handler.pauseReads() }
        let now = self.now
        exchangeEvent { $0.connectionAttached(reused: reused, now: now) }
    }
}
