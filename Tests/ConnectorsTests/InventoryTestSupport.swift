import Foundation
import Testing

@testable import Connectors
@testable import GatewayCore

/// Paths and loaders shared by the inventory tests. Inline inventories are loaded as
/// `connectors.yaml`, so messages read `connectors.yaml:N`.
enum TestInventory {
    static let path = "connectors.yaml"

    /// The package root, found from this file: Tests/ConnectorsTests/<this file>.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func packageFile(_ relativePath: String) throws -> String {
        let url = packageRoot.appendingPathComponent(relativePath)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The bundled `examples/demo.env`, named by its package-relative path.
    static func demoEnv() throws -> DotEnvFile {
        try DotEnvFile(parsing: packageFile("examples/demo.env"), path: "examples/demo.env")
    }

    static func envFile(_ text: String, path: String = ".env.generated") throws -> DotEnvFile {
        try DotEnvFile(parsing: text, path: path)
    }

    static func loader(files: [DotEnvFile] = [], process: [String: String] = [:]) -> InventoryLoader {
        InventoryLoader(
            registry: ConnectorCatalog.registry(), environment: EnvironmentLayers(files: files, process: process))
    }

    /// Loads inline inventory text as `connectors.yaml` in the package root (so relative
    /// `ca_file` paths such as examples/ca/internal-ca.pem resolve).
    static func load(
        _ yaml: String, files: [DotEnvFile] = [], process: [String: String] = [:]
    ) throws(ConfigError) -> GatewayConfiguration {
        try loader(files: files, process: process).load(text: yaml, path: path, baseDirectory: packageRoot.path)
    }

    /// The error that refuses `yaml`, or nil when it loads.
    static func refusal(
        _ yaml: String, files: [DotEnvFile] = [], process: [String: String] = [:]
    ) -> ConfigError? {
        do {
            _ = try load(yaml, files: files, process: process)
            return nil
        } catch {
            return error
        }
    }
}

/// True when `location` names `place` (e.g. `connectors.yaml:6`) and not a longer line number
/// such as `connectors.yaml:61`.
func location(_ location: String?, names place: String) -> Bool {
    guard let location else { return false }
    var searchStart = location.startIndex
    while let range = location.range(of: place, range: searchStart..<location.endIndex) {
        if range.upperBound == location.endIndex || !location[range.upperBound].isNumber { return true }
        searchStart = range.upperBound
    }
    return false
}

/// How a message names the owner of an issue: `connector 'langboard'`, or `principal 'worker'`
/// as it stands.
func messageLabel(connector: String) -> String {
    connector.hasPrefix("principal ") ? connector : "connector '\(connector)'"
}

/// Asserts that `error` holds an error issue with `code` at `place`, for `connector` and `key`,
/// and that its message (what people read) names all three. Returns the issue.
@discardableResult
func expectIssue(
    _ error: ConfigError?, _ code: ConfigIssue.Code, at place: String, connector: String?, key: String?,
    sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigIssue? {
    guard let error else {
        Issue.record("Expected the configuration to be refused with \(code), but it loaded.", sourceLocation: sourceLocation)
        return nil
    }
    let candidates = error.errors.filter { $0.code == code }
    guard let issue = candidates.first(where: { location($0.location, names: place) }) ?? candidates.first else {
        Issue.record("Expected \(code) among the errors, got:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
    let message = issue.description
    #expect(location(issue.location, names: place), "location of: \(message)", sourceLocation: sourceLocation)
    #expect(location(message, names: place), "message: \(message)", sourceLocation: sourceLocation)
    #expect(issue.connector == connector, "message: \(message)", sourceLocation: sourceLocation)
    if let connector {
        #expect(message.contains(messageLabel(connector: connector)), "message: \(message)", sourceLocation: sourceLocation)
    }
    #expect(issue.key == key, "message: \(message)", sourceLocation: sourceLocation)
    if let key {
        #expect(message.contains("key '\(key)'"), "message: \(message)", sourceLocation: sourceLocation)
    }
    #expect(
        issue.problem.hasSuffix(".") || issue.problem.hasSuffix("?"), "a whole sentence: \(issue.problem)",
        sourceLocation: sourceLocation)
    #expect(!issue.fix.isEmpty, "says what to do: \(message)", sourceLocation: sourceLocation)
    return issue
}

/// Loads `yaml`, failing the test with every issue when it is refused.
func expectLoads(
    _ yaml: String, files: [DotEnvFile] = [], process: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
) -> GatewayConfiguration? {
    do {
        return try TestInventory.load(yaml, files: files, process: process)
    } catch {
        Issue.record("Expected the configuration to load, but:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}
