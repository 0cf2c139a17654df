import Foundation

extension DotEnvFile {
    /// Reads and parses the file at `path`; an unreadable file is a `file.unreadable` issue.
    package static func read(path: String) throws(ConfigError) -> DotEnvFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(issues: [
                ConfigIssue(
                    .fileUnreadable, at: path, problem: "The env file cannot be read (missing or not permitted).",
                    fix: "Check the path given to --env-file.")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(issues: [
                ConfigIssue(
                    .dotenvSyntax, at: path, problem: "The env file is not UTF-8 text.", fix: "Save it as UTF-8.")
            ])
        }
        return try DotEnvFile(parsing: text, path: path)
    }
}
