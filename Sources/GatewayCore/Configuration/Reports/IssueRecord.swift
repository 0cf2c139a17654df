/// The JSON form of a `ConfigIssue`.
public struct IssueRecord: Codable, Sendable, Equatable {
    public var code: String
    public var severity: String
    public var location: String?
    public var connector: String?
    public var key: String?
    public var problem: String
    public var fix: String
    public var message: String

    public init(_ issue: ConfigIssue) {
        code = issue.code.rawValue
        severity = issue.severity.rawValue
        location = issue.location
        connector = issue.connector
        key = issue.key
        problem = issue.problem
        fix = issue.fix
        message = issue.description
    }
}
