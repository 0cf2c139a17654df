import ArgumentParser
import Connectors
import Foundation
import GatewayCore

struct RenderEnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-env",
        abstract: "Project the inventory into the generated env (FRACTALOPS_* variables).",
        discussion: """
            Canonical runtime asset selectors come first, then each connector's bindings, Nexus's
            derived URLs and the Temporal executor address. The template's comments and order are
            kept; keys it does not list are appended. Overlays are applied in order (later wins)
            and are validated with the inventory. With FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE
            true (in the process environment, an overlay or the template), literal sensitive values
            are refused. The output is written atomically and rendering twice gives the same bytes.

            Examples:
              gateway render-env connectors.yaml --template .env.example --output .env.generated
              gateway render-env topology.yaml --template .env.example \\
                  --overlay examples/lab.overlay.env --output .env.generated
            """)

    @Argument(help: ArgumentHelp("The inventory or platform topology file.", valueName: "inventory"))
    var inventory: String

    @Option(help: ArgumentHelp("The env template whose comments and order are kept.", valueName: "file"))
    var template: String

    @Option(name: .customLong("overlay"), help: ArgumentHelp("An overlay env file; repeatable, later wins.", valueName: "file"))
    var overlays: [String] = []

    @Option(help: ArgumentHelp("Where to write the generated env.", valueName: "file"))
    var output: String

    func run() throws {
        do {
            let templateFile = try DotEnvFile.read(path: template)
            let overlayFiles = try EnvironmentLayers.load(files: overlays, process: [:]).files
            // Only the switch is taken from the process environment: the output must not depend
            // on whatever else happens to be exported in the shell that runs this.
            var process: [String: String] = [:]
            process[EnvironmentLayers.requireRefVariable] = ProcessInfo.processInfo.environment[EnvironmentLayers.requireRefVariable]
            var layers = EnvironmentLayers(files: overlayFiles, process: process)
            let templateRequiresRef = templateFile.values[EnvironmentLayers.requireRefVariable].flatMap { BoolParser.parse($0.value) } ?? false
            if templateRequiresRef, process[EnvironmentLayers.requireRefVariable] == nil {
                layers.process[EnvironmentLayers.requireRefVariable] = "true"
            }
            let loader = InventoryLoader(registry: ConnectorCatalog.registry(), environment: layers)
            let configuration = try loader.load(path: inventory)
            let renderer = EnvRenderer(
                template: templateFile, overlays: overlayFiles,
                requireReferenceForSensitive: layers.requireReferenceForSensitive,
                secretVariables: EnvProjection.secretVariables(configuration))
            let text = try renderer.render(EnvProjection.project(configuration))
            do {
                try EnvRenderer.writeAtomically(text, to: output)
            } catch {
                printError("\(output): cannot write the generated env: \(error.localizedDescription)")
                throw ExitCode(2)
            }
            for warning in configuration.warnings { printError(warning.description) }
            print("wrote \(output) (\(text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.count) variables)")
        } catch let error as ConfigError {
            printError(error.description)
            throw ExitStatus.code(for: error)
        }
    }
}
