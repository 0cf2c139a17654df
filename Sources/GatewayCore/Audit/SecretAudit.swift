import Foundation

/// `gateway audit PATH...`: finds literal secrets in env files (templates, overlays, generated
/// env), inventories and topology files, and other rendered YAML or JSON: a sensitive key with
/// a literal value, or a URL carrying a credential. Reports the file, line, key and why, never
/// the value. Directories are searched for env and YAML files (hidden folders skipped).
package enum SecretAudit {
    /// What one run found: the findings and the files read, in order.
    package struct Result: Sendable {
        package var findings: [AuditFinding] = []
        package var files: [String] = []
        /// Files that could not be read or parsed (nothing in them was judged).
        package var problems: [ConfigIssue] = []
    }

    /// Audits every path (a file, or a directory searched recursively).
    package static func run(paths: [String]) -> Result {
        var result = Result()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                result.problems.append(
                    ConfigIssue(
                        .fileUnreadable, at: path, problem: "There is no file or folder at this path.",
                        fix: "Check the path given to gateway audit."))
                continue
            }
            let files = isDirectory.boolValue ? candidates(in: path) : [path]
            for file in files {
                result.files.append(file)
                do {
                    result.findings += try audit(file: file)
                } catch {
                    result.problems += error.issues
                }
            }
        }
        return result
    }

    /// Audits one file: YAML (`.yaml`, `.yml`, `.json`) or dotenv (anything else).
    package static func audit(file: String) throws(ConfigError) -> [AuditFinding] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(issues: [
                ConfigIssue(
                    .fileUnreadable, at: file, problem: "The file cannot be read (missing or not permitted).",
                    fix: "Check the path and the permissions, or run gateway audit as a user that may read it.")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(issues: [
                ConfigIssue(
                    .fileUnreadable, at: file, problem: "The file is not UTF-8 text, so it is neither an env file nor YAML.",
                    fix: "Give gateway audit env files, inventories, topology files or rendered YAML/JSON only.")
            ])
        }
        return isYAML(file) ? try audit(yaml: text, path: file) : try audit(env: text, path: file)
    }

    static func isYAML(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        return name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json")
    }

    static func isEnv(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        return name.hasSuffix(".env") || name == ".env" || name.hasPrefix(".env.")
    }

    /// The env and YAML files under `directory`, sorted, hidden folders (`.git`, `.build`) skipped.
    static func candidates(in directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let full = (directory as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            let name = (relative as NSString).lastPathComponent
            if isDirectory.boolValue {
                if name.hasPrefix(".") { enumerator.skipDescendants() }
                continue
            }
            if isYAML(full) || isEnv(full) { files.append(full) }
        }
        return files.sorted()
    }
}
