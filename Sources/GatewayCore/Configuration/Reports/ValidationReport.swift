/// What `gateway validate` prints: valid or not, every error and warning.
package struct ValidationReport: Codable, Sendable {
    package var valid: Bool
    package var inventory: String
    package var connectors: [String]
    package var errors: [IssueRecord]
    package var warnings: [IssueRecord]

    package init(inventory: String, configuration: GatewayConfiguration) {
        valid = true
        self.inventory = inventory
        connectors = configuration.connectorNames
        errors = []
        warnings = configuration.warnings.filter { $0.severity == .warning }.map(IssueRecord.init)
    }

    package init(inventory: String, error: ConfigError) {
        valid = false
        self.inventory = inventory
        connectors = []
        errors = error.errors.map(IssueRecord.init)
        warnings = error.warnings.map(IssueRecord.init)
    }

    package var text: String {
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
