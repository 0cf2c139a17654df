/// Every problem found while loading a configuration, reported together.
///
/// Thrown only when at least one issue is an error; warnings travel with a successful load
/// in `GatewayConfiguration.warnings`.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public init(issues: [ConfigIssue]) {
        self.issues = issues
    }

    public var errors: [ConfigIssue] { issues.filter { $0.severity == .error } }
    public var warnings: [ConfigIssue] { issues.filter { $0.severity == .warning } }

    /// True when nothing could be judged because a file could not be read.
    public var isUnreadableFile: Bool { errors.contains { $0.code == .fileUnreadable } }

    public var description: String {
        let errors = self.errors
        let head = "the configuration is invalid: \(errors.count) error\(errors.count == 1 ? "" : "s")"
        return ([head] + issues.map { "  - \($0)" }).joined(separator: "\n")
    }
}
