import Foundation
import Synchronization

/// The latest check of every connector, as the scheduler records them; read by the report
/// routes, the status page and `/metrics`. Small synchronous state under one lock.
public final class HealthStore: Sendable {
    struct State {
        var latest: [String: ConnectorHealth] = [:]
        var checks: [String: [HealthState: UInt64]] = [:]
        /// When the latest batch of checks finished, and how long it took.
        var lastBatch: (at: Date, seconds: Double)?
        var firstRoundDone = false
    }

    /// Connector names in inventory order: the report's order and the only metric labels.
    public let connectors: [String]
    let state = Mutex(State())

    public init(connectors: [String]) {
        self.connectors = connectors
    }

    /// Keeps `result` as its connector's latest and counts it.
    public func record(_ result: ConnectorHealth) {
        state.withLock { state in
            state.latest[result.name] = result
            state.checks[result.name, default: [:]][result.state, default: 0] += 1
        }
    }

    /// A batch of checks finished; the report is served once every connector has a result.
    public func batchFinished(at date: Date, seconds: Double) {
        state.withLock { state in
            state.lastBatch = (date, seconds)
            if connectors.allSatisfy({ state.latest[$0] != nil }) { state.firstRoundDone = true }
        }
    }

    /// The latest report, or nil until every connector was checked once.
    public var report: HealthReport? {
        state.withLock { state in
            guard state.firstRoundDone, let batch = state.lastBatch else { return nil }
            return HealthReport(connectors: connectors.compactMap { state.latest[$0] }, generatedAt: batch.at,
                                seconds: batch.seconds)
        }
    }

    public func latest(_ connector: String) -> ConnectorHealth? {
        state.withLock { $0.latest[connector] }
    }

    /// Checks counted so far, by state.
    public func checkCounts(_ connector: String) -> [HealthState: UInt64] {
        state.withLock { $0.checks[connector] ?? [:] }
    }
}
