import Foundation

/// The health of every connector checked: what `gateway health` prints and the server serves.
package struct HealthReport: Sendable, Hashable {
    /// Bumped only when a key changes meaning or goes away; new keys may be added.
    package static let schemaVersion = 1

    package var connectors: [ConnectorHealth]
    /// When the (latest) round of checks finished.
    package var generatedAt: Date
    /// Wall time of that round.
    package var seconds: Double

    package init(connectors: [ConnectorHealth], generatedAt: Date, seconds: Double) {
        self.connectors = connectors
        self.generatedAt = generatedAt
        self.seconds = seconds
    }

    /// How many connectors are in each state.
    package var counts: [HealthState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: HealthState.allCases.map { ($0, 0) })
        for connector in connectors { counts[connector.state, default: 0] += 1 }
        return counts
    }

    /// The worst state of any connector (`unconfigured` ones do not count); `ok` when empty.
    package var overall: HealthState {
        connectors.map(\.state).filter { $0 != .unconfigured }.max { $0.severity < $1.severity } ?? .ok
    }

    /// True when some connector's state is at least as bad as `threshold` (`fail`, or `skip`
    /// under `--fail-on skip`). `unconfigured` never counts.
    package func hasFailure(atLeast threshold: HealthState) -> Bool {
        connectors.contains { $0.state != .unconfigured && $0.state.severity >= threshold.severity }
    }

    /// A one-line summary: `6 connectors: 1 ok, 0 degraded, 1 skip, 3 fail, 1 unconfigured (checked in 12 ms)`.
    package var summaryLine: String {
        let counts = self.counts
        let parts = HealthState.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }
        let noun = connectors.count == 1 ? "connector" : "connectors"
        return "\(connectors.count) \(noun): \(parts.joined(separator: ", ")) (checked in \(HealthFormat.milliseconds(seconds)))"
    }
}
