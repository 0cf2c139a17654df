import ArgumentParser
import Foundation
import GatewayCore

/// `gateway audit --json`: the findings and the files read.
struct AuditReport: Encodable {
    struct Finding: Encodable {
        var file: String
        var line: Int
        var key: String
        var reason: String
        var fix: String
    }

    var files: [String]
    var findings: [Finding]
    var errors: [String]

    init(_ result: SecretAudit.Result) {
        files = result.files
        findings = result.findings.map {
            Finding(file: $0.file, line: $0.line, key: $0.key, reason: $0.reason.description, fix: $0.reason.fix)
        }
        errors = result.problems.map(\.description)
    }
}
