/// The reports of several replicas of one gateway combined (`gateway health --url URL...`):
/// each replica's answer, and per connector the worst state any replica reported.
package struct FleetHealth: Sendable, Hashable {
    /// One connector across the replicas that answered.
    package struct Connector: Sendable, Hashable {
        package var name: String
        package var kind: String
        /// The worst state any replica reported (`unconfigured` only when every replica says so).
        package var worst: HealthState
        /// The replica whose report decided `worst` (the first one, on a tie).
        package var worstReplica: Int
        package var reason: String
        package var runtimeAsset: RuntimeAsset?
        /// Per replica (same order as `FleetHealth.replicas`): its state, nil when the replica
        /// did not answer or does not list this connector.
        package var states: [HealthState?]
        /// Open WebSocket tunnels summed over the replicas that said (nil when none did).
        package var tunnelsOpen: Int?
    }

    package var replicas: [ReplicaHealth]
    package var connectors: [Connector]

    /// Combines `replicas`, keeping only `only` connectors when given. Connectors appear in the
    /// order the first replica lists them, then any that only later replicas list.
    package init(replicas: [ReplicaHealth], only: [String]? = nil) {
        self.replicas = replicas
        var order: [String] = []
        var byName: [String: Connector] = [:]
        for (index, replica) in replicas.enumerated() {
            guard let report = replica.report else { continue }
            for entry in report.connectors where only?.contains(entry.name) ?? true {
                if var combined = byName[entry.name] {
                    combined.states[index] = entry.state
                    if let open = entry.tunnelsOpen { combined.tunnelsOpen = (combined.tunnelsOpen ?? 0) + open }
                    if entry.state.severity > combined.worst.severity {
                        combined.worst = entry.state
                        combined.worstReplica = index
                        combined.reason = entry.reason
                    }
                    byName[entry.name] = combined
                } else {
                    var states = [HealthState?](repeating: nil, count: replicas.count)
                    states[index] = entry.state
                    order.append(entry.name)
                    byName[entry.name] = Connector(
                        name: entry.name, kind: entry.kind, worst: entry.state, worstReplica: index, reason: entry.reason,
                        runtimeAsset: entry.runtimeAsset, states: states, tunnelsOpen: entry.tunnelsOpen)
                }
            }
        }
        connectors = order.compactMap { byName[$0] }
    }

    /// Every connector name some replica reported.
    package var connectorNames: [String] { connectors.map(\.name) }

    package var unreachableCount: Int { replicas.filter { $0.report == nil }.count }

    /// The worst state of any connector (`unconfigured` does not count); `ok` when none.
    package var overall: HealthState {
        connectors.map(\.worst).filter { $0 != .unconfigured }.max { $0.severity < $1.severity } ?? .ok
    }

    /// True when a replica did not answer with its report, or some connector's worst state is
    /// at least as bad as `threshold`: the exit status of `gateway health --url` is then 1.
    package func hasFailure(atLeast threshold: HealthState) -> Bool {
        unreachableCount > 0 || connectors.contains { $0.worst != .unconfigured && $0.worst.severity >= threshold.severity }
    }

    /// `2 replicas (1 unreachable); 6 connectors, worst of each: 1 ok, 0 degraded, 0 skip, 5 fail, 0 unconfigured`
    package var summaryLine: String {
        var counts = Dictionary(uniqueKeysWithValues: HealthState.allCases.map { ($0, 0) })
        for connector in connectors { counts[connector.worst, default: 0] += 1 }
        let parts = HealthState.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }
        let missing = unreachableCount
        let replicaPart = "\(replicas.count) replica\(replicas.count == 1 ? "" : "s")" + (missing > 0 ? " (\(missing) without a report)" : "")
        let noun = connectors.count == 1 ? "connector" : "connectors"
        return "\(replicaPart); \(connectors.count) \(noun), worst of each: \(parts.joined(separator: ", "))"
    }
}
