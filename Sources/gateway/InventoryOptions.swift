import ArgumentParser
import Connectors
import Foundation
import GatewayCore

/// The options every command that reads a configuration shares.
struct InventoryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The connector inventory (or a platform topology file).", valueName: "file"))
    var inventory: String = "connectors.yaml"

    @Option(
        name: .customLong("env-file"),
        help: ArgumentHelp(
            "A dotenv file (generated env first, overlays after; later wins). Repeatable.", valueName: "file"))
    var envFiles: [String] = []

    /// Reads the env files and the inventory. Throws `ConfigError` with every problem.
    func load(process: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> GatewayConfiguration {
        try Self.load(inventory: inventory, envFiles: envFiles, process: process)
    }

    /// The same, from plain values (for reloading without the parsed command).
    static func load(inventory: String, envFiles: [String], process: [String: String]) throws(ConfigError) -> GatewayConfiguration {
        let environment = try EnvironmentLayers.load(files: envFiles, process: process)
        let loader = InventoryLoader(registry: ConnectorCatalog.registry(), environment: environment)
        return try loader.load(path: inventory)
    }
}

func printError(_ text: String) {
    var stream = StandardError()
    print(text, to: &stream)
}

func jsonText(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}
