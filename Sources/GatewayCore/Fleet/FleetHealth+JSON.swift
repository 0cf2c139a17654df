import Foundation

/// `gateway health --url ... --json`: the combined view, each replica's report embedded as served.
extension FleetHealth {
    package func jsonText() -> String {
        HealthJSON.text(FleetDocument(fleet: self), pretty: true)
    }
}

struct FleetDocument: Encodable {
    var fleet: FleetHealth

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(HealthReport.schemaVersion, forKey: "schema_version")
        try c.encode(fleet.overall.rawValue, forKey: "state")
        try c.encode(fleet.unreachableCount, forKey: "replicas_without_report")
        var summary = Dictionary(uniqueKeysWithValues: HealthState.allCases.map { ($0.rawValue, 0) })
        for connector in fleet.connectors { summary[connector.worst.rawValue, default: 0] += 1 }
        summary["total"] = fleet.connectors.count
        try c.encode(summary, forKey: "summary")
        var replicas = c.nestedUnkeyedContainer(forKey: "replicas")
        for replica in fleet.replicas {
            var r = replicas.nestedContainer(keyedBy: JSONKey.self)
            try r.encode(replica.url, forKey: "url")
            try r.encode(replica.reportURL, forKey: "report_url")
            try r.encode(replica.stateName, forKey: "state")
            try r.encode(replica.problem, forKey: "error")
            try r.encode(replica.report?.document, forKey: "report")
        }
        var connectors = c.nestedUnkeyedContainer(forKey: "connectors")
        for connector in fleet.connectors {
            var entry = connectors.nestedContainer(keyedBy: JSONKey.self)
            try entry.encode(connector.name, forKey: "name")
            try entry.encode(connector.kind, forKey: "kind")
            try entry.encode(connector.worst.rawValue, forKey: "state")
            try entry.encode(connector.reason, forKey: "reason")
            try entry.encode(fleet.replicas[connector.worstReplica].url, forKey: "worst_replica")
            try entry.encode(connector.runtimeAsset.map { ["id": $0.id, "role": $0.role] }, forKey: "runtime_asset")
            try entry.encode(connector.tunnelsOpen, forKey: "tunnels_open")
            var states = entry.nestedUnkeyedContainer(forKey: "replicas")
            for (replica, state) in zip(fleet.replicas, connector.states) {
                var s = states.nestedContainer(keyedBy: JSONKey.self)
                try s.encode(replica.url, forKey: "url")
                try s.encode(state?.rawValue, forKey: "state")
            }
        }
    }
}
