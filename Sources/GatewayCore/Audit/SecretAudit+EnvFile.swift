extension SecretAudit {
    /// Every assignment of a dotenv file, judged by its key and value.
    static func audit(env text: String, path: String) throws(ConfigError) -> [AuditFinding] {
        let file = try DotEnvFile(parsing: text, path: path)
        return file.entries.compactMap { entry in
            LiteralSecret.classify(key: entry.key, value: entry.value).map {
                AuditFinding(file: path, line: entry.line, key: entry.key, reason: $0)
            }
        }
    }
}
