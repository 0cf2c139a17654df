/// Collects issues while a configuration is read, so that all of them are reported at once.
public struct Diagnostics: Sendable {
    public private(set) var issues: [ConfigIssue] = []

    public init() {}

    public var hasErrors: Bool { issues.contains { $0.severity == .error } }

    public mutating func append(_ issue: ConfigIssue) {
        if !issues.contains(issue) { issues.append(issue) }
    }

    public mutating func append(contentsOf other: [ConfigIssue]) {
        for issue in other { append(issue) }
    }

    /// Throws a `ConfigError` when any error was collected.
    public func check() throws(ConfigError) {
        if hasErrors { throw ConfigError(issues: issues) }
    }
}
