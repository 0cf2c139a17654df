extension EnvironmentLayers {
    /// Reads and parses each env file, collecting every problem across all of them.
    package static func load(files: [String], process: [String: String]) throws(ConfigError) -> EnvironmentLayers {
        var parsed: [DotEnvFile] = []
        var issues: [ConfigIssue] = []
        for path in files {
            do {
                parsed.append(try DotEnvFile.read(path: path))
            } catch {
                issues.append(contentsOf: error.issues)
            }
        }
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        return EnvironmentLayers(files: parsed, process: process)
    }
}
