/// One problem found in the inventory, an env file or the process environment.
///
/// Tests match on `code`; people read `description`, which names the place (file:line or env
/// variable), the connector, the key, what is wrong and what to do instead. Secret values never
/// appear in any field.
public struct ConfigIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error
        case warning
    }

    public var code: Code
    public var severity: Severity
    /// Where the offending value came from, e.g. `connectors.yaml:14` or
    /// `FRACTALOPS_LANGBOARD_VERIFY_TLS from .env.generated:7`.
    public var location: String?
    public var connector: String?
    public var key: String?
    /// What is wrong, as a whole sentence.
    public var problem: String
    /// What to do instead, as a whole sentence.
    public var fix: String

    public init(
        _ code: Code,
        severity: Severity = .error,
        at location: String?,
        connector: String? = nil,
        key: String? = nil,
        problem: String,
        fix: String
    ) {
        self.code = code
        self.severity = severity
        self.location = location
        self.connector = connector
        self.key = key
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        var parts: [String] = []
        if let location { parts.append(location) }
        if let connector { parts.append(connector.hasPrefix("principal ") ? connector : "connector '\(connector)'") }
        if let key { parts.append("key '\(key)'") }
        let prefix = parts.isEmpty ? "" : parts.joined(separator: ": ") + ": "
        return "\(prefix)\(severity.rawValue) [\(code.rawValue)] \(problem) Fix: \(fix)"
    }
}
