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

            --harden-refs --openbao-scope <mount>/<path> moves the literal secrets the output would
            hold into OpenBao: the values of sensitive keys, and URLs that carry a credential (a
            user or password before the host, a token-like query parameter such as token, key,
            access_token, api_key or auth). One KV v2 write per scope to <mount>/data/<path>
            (merged with the fields already there), each value under the field named like its
            variable, and openbao://<mount>/<path>#<VARIABLE> written in its place. The option is
            repeatable (or OPENBAO_SCOPES=<scope>,<scope> in the environment): a scope whose last
            segment names a connector (secret/connectors/daytona) takes that connector's
            variables, the first scope everything else. With --openbao-mount <mount> the scopes
            are paths under that mount (OPENBAO_SCOPES=connectors,connectors/daytona
            --openbao-mount secret). OpenBao is reached as serve
            reaches it (gateway.openbao:, FRACTALOPS_OPENBAO_ADDR, FRACTALOPS_OPENBAO_TOKEN, ...,
            from the process environment). Without write access nothing is written and the keys
            that need moving are listed (exit 1). The OpenBao login variables themselves are
            never moved.

            --for-clients --gateway-url URL --principal NAME renders instead the env a machine of
            that principal uses to reach its connectors through the gateway: each connector it may
            use gets the gateway's route as FRACTALOPS_<NAME>_EXECUTOR_URL (the SCIM route as
            _SCIM_BASE_URL and, under connector_mode scim, as the executor URL; a TCP connector's
            listener on the gateway's host as its address), FRACTALOPS_GATEWAY_URL, and
            FRACTALOPS_GATEWAY_TOKEN as the principal's token reference. No Host header, TLS
            setting or credential: those stay in the gateway. --template is optional here.

            Examples:
              gateway render-env connectors.yaml --template .env.example --output .env.generated
              gateway render-env connectors.yaml --for-clients --gateway-url https://gateway.internal:8443 \\
                  --principal worker --output worker.env
              gateway render-env topology.yaml --template .env.example \\
                  --overlay examples/lab.overlay.env --output .env.generated
              FRACTALOPS_OPENBAO_ADDR=https://openbao.internal:8200 BAO_TOKEN=... \\
                gateway render-env connectors.yaml --template .env.example --overlay secrets.env \\
                  --harden-refs --openbao-scope secret/gateway/lab --output .env.generated
              OPENBAO_SCOPES=connectors,connectors/daytona gateway render-env connectors.yaml \\
                  --template .env.example --overlay secrets.env --harden-refs --openbao-mount secret \\
                  --output .env.generated
            """)

    @Argument(help: ArgumentHelp("The inventory or platform topology file.", valueName: "inventory"))
    var inventory: String

    @Option(help: ArgumentHelp("The env template whose comments and order are kept (optional with --for-clients).", valueName: "file"))
    var template: String?

    @Option(name: .customLong("overlay"), help: ArgumentHelp("An overlay env file; repeatable, later wins.", valueName: "file"))
    var overlays: [String] = []

    @Option(help: ArgumentHelp("Where to write the generated env.", valueName: "file"))
    var output: String

    @Flag(name: .customLong("for-clients"), help: "Render the env a principal's machines use to reach the connectors through the gateway.")
    var forClients = false

    @Option(name: .customLong("gateway-url"), help: ArgumentHelp("With --for-clients: how the machines reach the gateway.", valueName: "url"))
    var gatewayURL: String?

    @Option(help: ArgumentHelp("With --for-clients: the principal whose machines read the env.", valueName: "name"))
    var principal: String?

    @Flag(name: .customLong("harden-refs"), help: "Move literal sensitive values to OpenBao (at --openbao-scope) and write references instead.")
    var hardenRefs = false

    @Option(
        name: .customLong("openbao-scope"),
        help: ArgumentHelp(
            "A KV v2 secret --harden-refs writes to, e.g. secret/gateway/lab; repeatable (default: OPENBAO_SCOPES, comma-separated).",
            valueName: "mount/path"))
    var openBaoScopes: [String] = []

    @Option(
        name: .customLong("openbao-mount"),
        help: ArgumentHelp(
            "With --harden-refs: the scopes are paths under this KV v2 mount (e.g. secret).", valueName: "mount"))
    var openBaoMount: String?

    /// The scopes given, else the platform's `OPENBAO_SCOPES` list.
    var scopes: [String] {
        openBaoScopes.isEmpty ? OpenBaoScopes.list(ProcessInfo.processInfo.environment["OPENBAO_SCOPES"] ?? "") : openBaoScopes
    }

    func validate() throws {
        if forClients {
            guard gatewayURL != nil, principal != nil else {
                throw ValidationError("--for-clients needs --gateway-url <url> and --principal <name>.")
            }
            if hardenRefs { throw ValidationError("--harden-refs does not apply to --for-clients: a client env holds references only.") }
        } else {
            if template == nil { throw ValidationError("Missing --template <file> (the env template whose comments and order are kept).") }
            if gatewayURL != nil || principal != nil { throw ValidationError("--gateway-url and --principal are only used with --for-clients.") }
        }
        if hardenRefs, scopes.isEmpty {
            throw ValidationError(
                "--harden-refs needs --openbao-scope <mount>/<path> (e.g. secret/gateway/lab; repeatable) or OPENBAO_SCOPES=<scope>,<scope> in the environment."
            )
        }
        if !hardenRefs, !openBaoScopes.isEmpty || openBaoMount != nil {
            throw ValidationError("--openbao-scope and --openbao-mount are only used with --harden-refs.")
        }
    }

    func run() async throws {
        if forClients { return try renderForClients() }
        do {
            let templateFile = try DotEnvFile.read(path: template ?? "")
            var overlayFiles = try EnvironmentLayers.load(files: overlays, process: [:]).files
            if hardenRefs, let references = try await harden(template: templateFile, overlays: overlayFiles) {
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

    /// `--for-clients`: the env of a principal's machines, every connector reached through the gateway.
    private func renderForClients() throws {
        let url: EndpointURL
        do {
            url = try EndpointURL(parsing: gatewayURL ?? "")
        } catch {
            printError("gateway: --gateway-url \(gatewayURL ?? ""): \(error); give an http:// or https:// URL such as https://gateway.internal:8443.")
            throw ExitCode(2)
        }
        do {
            let layers = try EnvironmentLayers.load(files: overlays, process: [:])
            let configuration = try InventoryLoader(registry: ConnectorCatalog.registry(), environment: layers).load(path: inventory)
            let entries: [EnvProjection.Entry]
            do throws(ClientEnvProjection.Failure) {
                entries = try ClientEnvProjection.project(configuration, gatewayURL: url, principal: principal ?? "")
            } catch {
                printError("gateway: \(error.description)")
                throw ExitCode(1)
            }
            let text: String
            if let template {
                let renderer = EnvRenderer(
                    template: try DotEnvFile.read(path: template), overlays: [], requireReferenceForSensitive: true,
                    secretVariables: [ClientEnvProjection.tokenVariable])
                text = try renderer.render(entries)
            } else {
                let header = [
                    "# The env of the machines of principal '\(principal ?? "")': every connector is reached through the gateway",
                    "# at \(url). Generated by gateway render-env --for-clients; the token is a reference.",
                ]
                text = (header + entries.map { DotEnvWriter.assignment($0.key, $0.value) }).joined(separator: "\n") + "\n"
            }
            do {
                try EnvRenderer.writeAtomically(text, to: output)
            } catch {
                printError("\(output): cannot write the client env: \(error.localizedDescription)")
                throw ExitCode(2)
            }
            print("wrote \(output) (\(entries.count) variables for principal '\(principal ?? "")')")
        } catch let error as ConfigError {
            printError(error.description)
            throw ExitStatus.code(for: error)
        }
    }

    /// Moves the literal secrets the output would hold into OpenBao and returns the overlay of
    /// references that replaces them (nil when there is nothing to move).
    private func harden(template: DotEnvFile, overlays: [DotEnvFile]) async throws -> DotEnvFile? {
        // The literals: what the output would hold if literals were allowed.
        let discovery = EnvironmentLayers(files: overlays, process: [EnvironmentLayers.requireRefVariable: "false"])
        let configuration = try InventoryLoader(registry: ConnectorCatalog.registry(), environment: discovery).load(path: inventory)
        let hardeners: OpenBaoScopes
        do {
            hardeners = try OpenBaoScopes(
                scopes: scopes, mount: openBaoMount,
                connectors: configuration.connectors.map { (name: $0.name, envPrefix: $0.envPrefix) })
        } catch {
            printError("gateway: \(error.description)")
            throw ExitCode(2)
        }
        for scope in hardeners.unused {
            printError(
                "gateway: the OpenBao scope \(scope) names no connector of \(inventory), so nothing is written to it (the first scope, \(hardeners.hardeners[0].scope), takes the secrets of no particular connector)."
            )
        }
        let renderer = EnvRenderer(
            template: template, overlays: overlays, requireReferenceForSensitive: false,
            secretVariables: EnvProjection.secretVariables(configuration))
        let literals = renderer.literalSecrets(in: renderer.values(for: EnvProjection.project(configuration)))
        let movable = EnvHardener.movable(literals)
        for entry in literals where EnvHardener.bootstrapVariables.contains(entry.key) {
            printError(
                "gateway: \(entry.key) is how the gateway logs in to OpenBao and is not moved into it; deliver it as a file or in the process environment."
            )
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
                    throw hardeners.failure(movable.map(\.key), because: error)
                }
                let references = try await hardeners.harden(movable, client: client)
                for group in hardeners.assign(movable) {
                    let count = group.entries.count
                    print("moved \(count) literal secret\(count == 1 ? "" : "s") to OpenBao at \(group.hardener.scope):")
                    for entry in group.entries {
                        let why = renderer.reason(for: entry).map { $0 == .sensitiveKey ? "" : " (\($0))" } ?? ""
                        print("  \(entry.key) -> \(group.hardener.reference(for: entry.key))\(why)")
                    }
                }
                return references
            }
        } catch {
            printError("gateway: \(error.description)")
            throw ExitCode(1)
        }
    }
}
