/// A health report as a running gateway serves it at `/health/connectors` (schema in
/// `docs/health-report.schema.json`), read back: what `gateway health --url` combines.
package struct RemoteHealthReport: Sendable, Hashable {
    package struct Connector: Sendable, Hashable {
        package var name: String
        package var kind: String
        package var state: HealthState
        package var reason: String
        package var decidedBy: String?
        package var latencyMilliseconds: Double?
        package var runtimeAsset: RuntimeAsset?
        /// Open WebSocket tunnels on that replica (null in reports of older gateways).
        package var tunnelsOpen: Int?
    }

    package var schemaVersion: Int
    package var state: HealthState
    package var generatedAt: String?
    package var ageSeconds: Double?
    package var connectors: [Connector]
    /// The document as served, for `--json`.
    var document: JSONValue

    package struct ParseError: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    /// Reads the JSON `bytes`; anything but a schema 1 report (or a newer one with the same
    /// keys) is a `ParseError` saying what is missing.
    package init(parsing bytes: [UInt8]) throws(ParseError) {
        guard let document = JSONValue.parse(bytes) else {
            throw ParseError(description: "the answer is not JSON")
        }
        guard document.objectValue != nil else {
            throw ParseError(description: "the answer is \(document.kindName), not a health report object")
        }
        guard let version = document["schema_version"]?.numberValue, version >= 1 else {
            throw ParseError(description: "the answer has no schema_version: it is not a gateway health report")
        }
        guard let stateText = document["state"]?.stringValue, let state = HealthState(rawValue: stateText) else {
            throw ParseError(description: "the answer's 'state' is not one of \(HealthState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard case let .array(items)? = document["connectors"] else {
            throw ParseError(description: "the answer has no 'connectors' list")
        }
        var connectors: [Connector] = []
        for (index, item) in items.enumerated() {
            guard let name = item["name"]?.stringValue, let kind = item["kind"]?.stringValue,
                let stateText = item["state"]?.stringValue, let state = HealthState(rawValue: stateText)
            else {
                throw ParseError(description: "connector \(index + 1) of the answer lacks a name, kind or known state")
            }
            var asset: RuntimeAsset?
            if let id = item["runtime_asset"]?["id"]?.stringValue {
                asset = RuntimeAsset(id: id, role: item["runtime_asset"]?["role"]?.stringValue)
            }
            connectors.append(
                Connector(
                    name: name, kind: kind, state: state, reason: item["reason"]?.stringValue ?? "",
                    decidedBy: item["decided_by"]?.stringValue, latencyMilliseconds: item["probe"]?["latency_ms"]?.numberValue,
                    runtimeAsset: asset, tunnelsOpen: item["tunnels_open"]?.numberValue.map { Int($0) }))
        }
        self.schemaVersion = Int(version)
        self.state = state
        self.generatedAt = document["generated_at"]?.stringValue
        self.ageSeconds = document["age_seconds"]?.numberValue
        self.connectors = connectors
        self.document = document
    }
}
