/// The environment as the gateway sees it: env files in order (later wins), then the process
/// environment on top. Built once by the executable and passed down; nothing below it reads
/// the process environment.
package struct EnvironmentLayers: Sendable {
    package var files: [DotEnvFile]
    package var process: [String: String]

    package init(files: [DotEnvFile] = [], process: [String: String] = [:]) {
        self.files = files
        self.process = process
    }

    /// The effective value of `name` and where it came from.
    package func lookup(_ name: String) -> Sourced<String>? {
        if let value = process[name] { return Sourced(value, from: .processEnvironment(name: name)) }
        for file in files.reversed() {
            if let entry = file.values[name] {
                return Sourced(entry.value, from: .envFile(name: name, path: file.path, line: entry.line))
            }
        }
        return nil
    }

    /// Every variable name visible in any layer that starts with `prefix`.
    package func names(withPrefix prefix: String) -> [String] {
        var names = Set(process.keys.filter { $0.hasPrefix(prefix) })
        for file in files { names.formUnion(file.values.keys.filter { $0.hasPrefix(prefix) }) }
        return names.sorted()
    }

    /// `FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE`: literal secrets are refused when true.
    package var requireReferenceForSensitive: Bool {
        guard let value = lookup(Self.requireRefVariable)?.value else { return false }
        return BoolParser.parse(value) ?? false
    }

    package static let requireRefVariable = "FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE"
}
