/// What `gateway validate` prints: valid or not, every error and warning.
public struct ValidationReport: Codable, Sendable {
    public var valid: Bool
    public var inventory: String
    public var connectors: [String]
    public var errors: [IssueRecord]
    public var warnings: [IssueRecord]

    public init(inventory: String, configuration: GatewayConfiguration) {
        valid = true
        self.inventory = inventory
        connectors = configuration.connectorNames
        errors = []
        warnings = configuration.warnings.filter { $0.severity == .warning }.map(IssueRecord.init)
    }

    public init(inventory: String, error: ConfigError) {
        valid = false
        self.inventory = inventory
        connectors = []
        errors = error.errors.map(IssueRecord.init)
        warnings = error.warnings.map(IssueRecord.init)
    }

    public var text: String {
        var lines: [String] = []
        if valid {
            lines.append(
                "\(inventory): valid (\(connectors.count) connector\(connectors.count == 1 ? "" : "s"): \(connectors.joined(separator: ", ")))")
        } else {
            lines.append("\(inventory): invalid, \(errors.count) error\(errors.count == 1 ? "" : "s")")
            for error in errors { lines.append("  - \(error.message)") }
        }
        if !warnings.isEmpty {
            lines.append("\(warnings.count) warning\(warnings.count == 1 ? "" : "s"):")
            for warning in warnings { lines.append("  - \(warning.message)") }
        }
        return lines.joined(separator: "\n")
    }
}
