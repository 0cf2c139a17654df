import Foundation
import Synchronization

/// The latest check of every connector, as the scheduler records them; read by the report
/// routes, the status page and `/metrics`. Small synchronous state under one lock.
final class HealthStore: Sendable {
    struct State {
        var connectors: [String]
        var latest: [String: ConnectorHealth] = [:]
        var checks: [String: [HealthState: UInt64]] = [:]
        /// When the latest batch of checks finished, and how long it took.
        var lastBatch: (at: Date, seconds: Double)?
        var firstRoundDone = false
    }

    let state: Mutex<State>

    init(connectors: [String]) {
        state = Mutex(State(connectors: connectors))
    }

    /// Connector names in inventory order: the report's order and the only metric labels.
    var connectors: [String] { state.withLock { $0.connectors } }

    /// Follows a reload: `connectors` become the report's list; results and counts of connectors
    /// no longer configured are dropped, new ones appear once checked.
    func track(_ connectors: [String]) {
        state.withLock { state in
            guard state.connectors != connectors else { return }
            let kept = Set(connectors)
            state.connectors = connectors
            state.latest = state.latest.filter { kept.contains($0.key) }
            state.checks = state.checks.filter { kept.contains($0.key) }
        }
    }

    /// Keeps `result` as its connector's latest and counts it.
    func record(_ result: ConnectorHealth) {
        state.withLock { state in
            state.latest[result.name] = result
            state.checks[result.name, default: [:]][result.state, default: 0] += 1
        }
    }

    /// A batch of checks finished; the report is served once every connector has a result.
    func batchFinished(at date: Date, seconds: Double) {
        state.withLock { state in
            state.lastBatch = (date, seconds)
            if state.connectors.allSatisfy({ state.latest[$0] != nil }) { state.firstRoundDone = true }
        }
    }

    /// The latest report, or nil until every connector was checked once.
    var report: HealthReport? {
        state.withLock { state in
            guard state.firstRoundDone, let batch = state.lastBatch else { return nil }
            return HealthReport(
                connectors: state.connectors.compactMap { state.latest[$0] }, generatedAt: batch.at,
                seconds: batch.seconds)
        }
    }

    func latest(_ connector: String) -> ConnectorHealth? {
        state.withLock { $0.latest[connector] }
    }

    /// Checks counted so far, by state.
    func checkCounts(_ connector: String) -> [HealthState: UInt64] {
        state.withLock { $0.checks[connector] ?? [:] }
    }
}
