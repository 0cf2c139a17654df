import ArgumentParser
import Foundation
import GatewayCore
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load, validate and resolve the configuration, then serve machine traffic.",
        discussion: """
            Never starts half-configured: an invalid inventory, an unresolvable secret reference or
            an unreadable CA file stops the start with every problem listed (exit 1; 2 when a file
            cannot be read). SIGTERM or SIGINT stops accepting, lets requests in flight finish up to
            gateway.drain_timeout, and exits 0.

            Routes: /executor/<connector>/<path> (any method, streamed, to the executor URL only),
            /scim/<connector>/<path>, /livez, /readyz, /metrics.

            Examples:
              gateway serve --env-file examples/demo.env
              gateway serve --inventory /etc/fractalops/connectors.yaml --env-file /etc/fractalops/.env.generated
              gateway serve --env-file examples/demo.env --listen 127.0.0.1:0
            """)

    @OptionGroup var options: InventoryOptions

    @Option(help: ArgumentHelp("Override the listen address (host:port; port 0 picks a free port).", valueName: "host:port"))
    var listen: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            printError("gateway: --log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical.")
            throw ExitCode(2)
        }
        var address: HostPort?
        if let listen {
            guard let parsed = HostPort(parsing: listen, allowAnyPort: true) else {
                printError("gateway: --listen '\(listen)' is not host:port (e.g. 127.0.0.1:8080).")
                throw ExitCode(2)
            }
            address = parsed
        }
        var logger = Logger(label: "gateway")
        logger.logLevel = level
        let application: GatewayApplication
        do {
            let configuration = try options.load()
            application = try GatewayApplication(
                configuration: configuration, logger: logger, listen: address,
                resolve: SecretResolution.resolver(for: configuration))
        } catch {
            printError("gateway: not starting: \(error.description)")
            throw ExitStatus.code(for: error)
        }
        let host = application.listen.host
        let startupLogger = logger
        try await application.run { bound in
            // On stdout, so scripts can wait for readiness and learn a port-0 address.
            FileHandle.standardOutput.write(Data("gateway: listening on \(host):\(bound.port ?? 0)\n".utf8))
            startupLogger.info("listening", metadata: ["gateway.listen": "\(host):\(bound.port ?? 0)"])
        }
        logger.info("stopped")
    }
}
