import Synchronization

/// One event loop's share of the request metrics. Only its own loop writes it, so its lock is
/// never contended by another loop; `GatewayMetrics.render` adds the shares up at scrape time.
/// Arrays grow on demand: a reload may register connectors after the share was made.
package final class RequestCounters: Sendable {
    struct State {
        var requests: [UInt64] = []
        var latencyBuckets: [UInt64] = []
        var latencyCount: [UInt64] = []
        var latencySum: [Double] = []
        var throttled: [UInt64] = []
        var errors: [GatewayMetrics.ErrorKey: UInt64] = [:]
        var inFlight = 0
        var upstreamConnectionsOpened: UInt64 = 0
        var upstreamConnectionsReused: UInt64 = 0

        mutating func makeRoom(for connector: Int) {
            guard connector >= latencyCount.count else { return }
            let count = connector + 1
            requests += [UInt64](repeating: 0, count: count * GatewayMetrics.slotsPerConnector - requests.count)
            latencyBuckets += [UInt64](repeating: 0, count: count * GatewayMetrics.latencyBuckets.count - latencyBuckets.count)
            latencyCount += [UInt64](repeating: 0, count: count - latencyCount.count)
            latencySum += [Double](repeating: 0, count: count - latencySum.count)
            throttled += [UInt64](repeating: 0, count: count - throttled.count)
        }
    }

    private let state = Mutex(State())

    init() {}

    var snapshot: State { state.withLock { $0 } }

    package func requestStarted() {
        state.withLock { $0.inFlight += 1 }
    }

    /// One finished request. `upstreamSeconds` is nil when no upstream answered.
    package func requestFinished(
        connector: Int, method: String, status: Int, upstreamSeconds: Double?, errorKind: String?, upstreamThrottled: Bool = false
    ) {
        let methodIndex = GatewayMetrics.methodIndex(method)
        let statusIndex = min(max(status / 100, 1), 5) - 1
        let requestSlot = connector * GatewayMetrics.slotsPerConnector + methodIndex * GatewayMetrics.statusClasses.count + statusIndex
        let buckets = GatewayMetrics.latencyBuckets
        let bucket = upstreamSeconds.map { seconds in buckets.firstIndex { seconds <= $0 } ?? buckets.count }
        state.withLock { state in
            state.makeRoom(for: connector)
            state.inFlight -= 1
            state.requests[requestSlot] += 1
            if upstreamThrottled { state.throttled[connector] += 1 }
            if let errorKind { state.errors[GatewayMetrics.ErrorKey(connector: connector, kind: errorKind), default: 0] += 1 }
            if let seconds = upstreamSeconds, let bucket {
                state.latencyCount[connector] += 1
                state.latencySum[connector] += seconds
                if bucket < buckets.count { state.latencyBuckets[connector * buckets.count + bucket] += 1 }
            }
        }
    }

    package func upstreamConnection(reused: Bool) {
        state.withLock { state in
            if reused { state.upstreamConnectionsReused += 1 } else { state.upstreamConnectionsOpened += 1 }
        }
    }
}
