import Foundation

@testable import GatewayCore

/// One entry of `Fixtures/invalid/expected.txt`: a fixture the loader must refuse, and how.
struct InvalidFixture: Sendable, CustomStringConvertible {
    enum File: String, Sendable {
        case yaml
        case env
    }

    var name: String
    var code: ConfigIssue.Code
    /// Which of the fixture's files the issue must name, and the line.
    var file: File
    var line: Int
    var connector: String?
    var key: String?
    /// Text the issue's description must contain.
    var says: String?
    /// A known source bug; the assertions then run under `withKnownIssue`.
    var knownIssue: String?

    var description: String { "\(name) -> \(code)" }

    /// `NN-name.yaml:N` or `NN-name.env:N`.
    var expectedPlace: String { "\(name).\(file.rawValue):\(line)" }

    static let folder: URL? = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
        .appendingPathComponent("invalid")

    static let manifestName = "expected.txt"

    /// Every entry of the manifest; empty when it cannot be read (the corpus test then fails).
    static let all: [InvalidFixture] = (try? loadManifest()) ?? []

    struct ManifestError: Error, CustomStringConvertible {
        var description: String
    }

    static func loadManifest() throws -> [InvalidFixture] {
        guard let folder else { throw ManifestError(description: "the Fixtures resource folder is missing") }
        let text = try String(contentsOf: folder.appendingPathComponent(manifestName), encoding: .utf8)
        var fixtures: [InvalidFixture] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let columns = line.components(separatedBy: " | ").map { $0.trimmingCharacters(in: .whitespaces) }
            guard (5...7).contains(columns.count) else {
                throw ManifestError(description: "\(manifestName):\(index + 1): expected 5 to 7 columns")
            }
            let at = columns[2].split(separator: ":")
            guard at.count == 2, let file = File(rawValue: String(at[0])), let number = Int(at[1]) else {
                throw ManifestError(description: "\(manifestName):\(index + 1): 'at' must be yaml:N or env:N")
            }
            func optional(_ column: Int) -> String? {
                guard column < columns.count, columns[column] != "-", !columns[column].isEmpty else { return nil }
                return columns[column]
            }
            fixtures.append(
                InvalidFixture(
                    name: columns[0], code: ConfigIssue.Code(columns[1]), file: file, line: number,
                    connector: optional(3), key: optional(4), says: optional(5), knownIssue: optional(6)))
        }
        return fixtures
    }

    func url(_ suffix: String) -> URL? {
        Self.folder?.appendingPathComponent(name + suffix)
    }

    private func read(_ suffix: String) throws -> String? {
        guard let url = url(suffix), FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// Loads the fixture as the gateway would: the `.env` sibling as an env file, the
    /// `.process.env` sibling as the process environment. Returns the error that refuses it
    /// (from `DotEnvFile` or `InventoryLoader`), or nil when it loads.
    func load() throws -> ConfigError? {
        guard let yaml = try read(".yaml") else {
            throw ManifestError(description: "\(name).yaml is missing")
        }
        var files: [DotEnvFile] = []
        var process: [String: String] = [:]
        do {
            if let env = try read(".env") {
                files.append(try DotEnvFile(parsing: env, path: "\(name).env"))
            }
            if let env = try read(".process.env") {
                let parsed = try DotEnvFile(parsing: env, path: "\(name).process.env")
                process = parsed.values.mapValues(\.value)
            }
        } catch let error as ConfigError {
            return error
        }
        let loader = TestInventory.loader(files: files, process: process)
        do {
            _ = try loader.load(text: yaml, path: "\(name).yaml", baseDirectory: TestInventory.packageRoot.path)
            return nil
        } catch {
            return error
        }
    }
}
