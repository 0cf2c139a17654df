/// A certificate or key that cannot be used: unreadable, not PEM, or not a pair. Names the
/// connector (or `gateway.tls`), the key and where it was set; never the key's bytes.
public struct TLSMaterialError: Error, Sendable, CustomStringConvertible {
    public var code: ConfigIssue.Code
    /// `langboard`, or nil for the gateway's own listener.
    public var owner: String?
    public var key: String
    public var location: String
    public var problem: String
    public var fix: String

    public init(_ code: ConfigIssue.Code, owner: String?, key: String, location: String, problem: String, fix: String) {
        self.code = code
        self.owner = owner
        self.key = key
        self.location = location
        self.problem = problem
        self.fix = fix
    }

    public var issue: ConfigIssue {
        ConfigIssue(code, at: location, connector: owner, key: key, problem: problem, fix: fix)
    }

    public var description: String { "\(location): \(key): \(problem) \(fix)" }
}
