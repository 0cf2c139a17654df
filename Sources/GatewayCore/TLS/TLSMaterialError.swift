/// A certificate or key that cannot be used: unreadable, not PEM, or not a pair. Names the
/// connector (or `gateway.tls`), the key and where it was set; never the key's bytes.
package struct TLSMaterialError: Error, Sendable, CustomStringConvertible {
    package var code: ConfigIssue.Code
    /// `langboard`, or nil for the gateway's own listener.
    package var owner: String?
    package var key: String
    package var location: String
    package var problem: String
    package var fix: String

    package init(_ code: ConfigIssue.Code, owner: String?, key: String, location: String, problem: String, fix: String) {
        self.code = code
        self.owner = owner
        self.key = key
        self.location = location
        self.problem = problem
        self.fix = fix
    }

    package var issue: ConfigIssue {
        ConfigIssue(code, at: location, connector: owner, key: key, problem: problem, fix: fix)
    }

    package var description: String { "\(location): \(key): \(problem) \(fix)" }
}
