import ArgumentParser
import Connectors
import Foundation
import GatewayCore

struct RenderEnvCommand: AsyncParsableCommand {
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

            --harden-refs --openbao-scope <mount>/<path> moves the literal sensitive values the
            output would hold into OpenBao: one KV v2 write to <mount>/data/<path> (merged with
            the fields already there), each value under the field named like its variable, and
            writes openbao://<mount>/<path>#<VARIABLE> in their place. OpenBao is reached as serve
            reaches it (gateway.openbao:, FRACTALOPS_OPENBAO_ADDR, FRACTALOPS_OPENBAO_TOKEN, ...,
            from the process environment). Without write access nothing is written and the keys
            that need moving are listed (exit 1). The OpenBao login variables themselves are
            never moved.

            Examples:
              gateway render-env connectors.yaml --template .env.example --output .env.generated
              gateway render-env topology.yaml --template .env.example \\
                  --overlay examples/lab.overlay.env --output .env.generated
              FRACTALOPS_OPENBAO_ADDR=https://openbao.internal:8200 BAO_TOKEN=... \\
                gateway render-env connectors.yaml --template .env.example --overlay secrets.env \\
                  --harden-refs --openbao-scope secret/gateway/lab --output .env.generated
            """)

    @Argument(help: ArgumentHelp("The inventory or platform topology file.", valueName: "inventory"))
    var inventory: String

    @Option(help: ArgumentHelp("The env template whose comments and order are kept.", valueName: "file"))
    var template: String

    @Option(name: .customLong("overlay"), help: ArgumentHelp("An overlay env file; repeatable, later wins.", valueName: "file"))
    var overlays: [String] = []

    @Option(help: ArgumentHelp("Where to write the generated env.", valueName: "file"))
    var output: String

    @Flag(name: .customLong("harden-refs"), help: "Move literal sensitive values to OpenBao (at --openbao-scope) and write references instead.")
    var hardenRefs = false

    @Option(name: .customLong("openbao-scope"), help: ArgumentHelp(
        "The KV v2 secret --harden-refs writes to, e.g. secret/gateway/lab.", valueName: "mount/path"))
    var openBaoScope: String?

    func validate() throws {
        if hardenRefs, openBaoScope == nil {
            throw ValidationError("--harden-refs needs --openbao-scope <mount>/<path> (e.g. secret/gateway/lab).")
        }
        if !hardenRefs, openBaoScope != nil {
            throw ValidationError("--openbao-scope is only used with --harden-refs.")
        }
    }

    func run() async throws {
        do {
            let templateFile = try DotEnvFile.read(path: template)
            var overlayFiles = try EnvironmentLayers.load(files: overlays, process: [:]).files
            if hardenRefs, let openBaoScope,
               let references = try await harden(template: templateFile, overlays: overlayFiles, scope: openBaoScope)
            {
                overlayFiles.append(references)
            }
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

    /// Moves the literal secrets the output would hold into OpenBao and returns the overlay of
    /// references that replaces them (nil when there is nothing to move).
    private func harden(template: DotEnvFile, overlays: [DotEnvFile], scope: String) async throws -> DotEnvFile? {
        let hardener: EnvHardener
        do {
            hardener = try EnvHardener(scope: scope)
        } catch {
            printError("gateway: \(error.description)")
            throw ExitCode(2)
        }
        // The literals: what the output would hold if literals were allowed.
        let discovery = EnvironmentLayers(files: overlays, process: [EnvironmentLayers.requireRefVariable: "false"])
        let configuration = try InventoryLoader(registry: ConnectorCatalog.registry(), environment: discovery).load(path: inventory)
        let renderer = EnvRenderer(
            template: template, overlays: overlays, requireReferenceForSensitive: false,
            secretVariables: EnvProjection.secretVariables(configuration))
        let literals = renderer.literalSecrets(in: renderer.values(for: EnvProjection.project(configuration)))
        let movable = EnvHardener.movable(literals)
        for entry in literals where EnvHardener.bootstrapVariables.contains(entry.key) {
            printError("gateway: \(entry.key) is how the gateway logs in to OpenBao and is not moved into it; deliver it as a file or in the process environment.")
        }
        guard !movable.isEmpty else {
            print("no literal secrets to move to OpenBao")
            return nil
        }
        // OpenBao is reached as serve reaches it: the inventory's gateway.openbao section, the
        // env files and the process environment (address, token). The output does not use these.
        var process = ProcessInfo.processInfo.environment
        process[EnvironmentLayers.requireRefVariable] = "false"
        let connection = try InventoryLoader(
            registry: ConnectorCatalog.registry(), environment: EnvironmentLayers(files: overlays, process: process)
        ).load(path: inventory)
        do throws(EnvHardener.Failure) {
            return try await OutboundHTTPClient.with { httpClient throws(EnvHardener.Failure) in
                let client: OpenBaoClient
                do throws(OpenBaoError) {
                    client = try OpenBaoClient(
                        configuration: OpenBaoConfiguration(connection), httpClient: httpClient,
                        environment: connection.environment)
                } catch {
                    throw hardener.failure(movable.map(\.key), because: error)
                }
                let references = try await hardener.harden(movable, client: client)
                print("moved \(movable.count) literal secret\(movable.count == 1 ? "" : "s") to OpenBao at \(hardener.scope):")
                for entry in movable { print("  \(entry.key) -> \(hardener.reference(for: entry.key))") }
                return references
            }
        } catch {
            printError("gateway: \(error.description)")
            throw ExitCode(1)
        }
    }
}
