/// The JSON form of a `ConfigIssue`.
package struct IssueRecord: Codable, Sendable, Equatable {
    package var code: String
    package var severity: String
    package var location: String?
    package var connector: String?
    package var key: String?
    package var problem: String
    package var fix: String
    package var message: String

    package init(_ issue: ConfigIssue) {
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
