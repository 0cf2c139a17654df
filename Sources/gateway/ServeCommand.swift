import ArgumentParser
import Foundation
import GatewayCore
import Logging
import NIOCore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load, validate and resolve the configuration, then serve machine traffic.",
        discussion: """
            Never starts half-configured: an invalid inventory, an unresolvable secret reference or
            an unreadable CA file stops the start with every problem listed (exit 1; 2 when a file
            cannot be read). SIGTERM or SIGINT stops accepting, lets requests in flight finish up to
            gateway.drain_timeout, and exits 0. SIGHUP (`gateway reload`, or kill -HUP <pid>) reloads
            the inventory and env files: validated and resolved, then swapped in at once; an invalid
            one is refused and the running configuration keeps serving; listeners whose address
            changed are re-bound, the others keep serving.

            Secrets: env:// and file:// references resolve locally, openbao:// references through
            OpenBao's KV v2 API (gateway.openbao: address, namespace, ca_file, verify_tls; login
            by token, AppRole or Kubernetes; env FRACTALOPS_OPENBAO_ADDR, FRACTALOPS_OPENBAO_TOKEN,
            ...). Every reference in use must resolve or the start stops, naming it. While
            serving, openbao:// and file:// references are re-read every
            gateway.openbao.refresh_interval (5m); a changed value is used by the next requests,
            a failed re-read keeps the last good value (gateway_secret_refresh_failures_total).

            Routes: /executor/<connector>/<path> (any method, streamed, to the executor URL only),
            /scim/<connector>/<path>, /livez, /readyz, /metrics, /health/connectors[/<name>]
            (JSON health report, checked every gateway.health.interval), /status (the same as HTML).

            Examples:
              gateway serve --env-file examples/demo.env
              gateway serve --inventory /etc/fractalops/connectors.yaml --env-file /etc/fractalops/.env.generated
              gateway serve --env-file examples/demo.env --listen 127.0.0.1:0
              gateway serve --inventory /etc/fractalops/connectors.yaml --log-format json
              gateway serve --env-file .env.generated --pid-file /run/gateway.pid   # then: gateway reload --pid-file ...
            """)

    @OptionGroup var options: InventoryOptions

    @Option(help: ArgumentHelp("Override the listen address (host:port; port 0 picks a free port).", valueName: "host:port"))
    var listen: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(
        name: .customLong("pid-file"),
        help: ArgumentHelp(
            "Write the process id here once listening (removed at exit); `gateway reload --pid-file` reads it.",
            valueName: "file"))
    var pidFile: String?

    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp(
            "text, or json: one JSON object per line (time, level, message, request_id, connector, principal, ...).",
            valueName: "format"))
    var logFormat: String = "text"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            printError("gateway: --log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical.")
            throw ExitCode(2)
        }
        guard let format = LogFormat(rawValue: logFormat) else {
            printError("gateway: --log-format '\(logFormat)' is not one of text, json.")
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
        // A SIGHUP before the reloader traps it (while secrets resolve at start) must not end the
        // process, which is SIGHUP's default action.
        signal(SIGHUP, SIG_IGN)
        // Once per process, before the first Logger is made.
        LoggingSystem.bootstrap { label in format.makeHandler(label: label) }
        var logger = Logger(label: "gateway")
        logger.logLevel = level
        // One HTTP client for the gateway's own calls (OpenBao), shut down when serving ends.
        let inventory = options.inventory
        let envFiles = options.envFiles
        let process = ProcessInfo.processInfo.environment
        try await OutboundHTTPClient.with { httpClient in
            var application: GatewayApplication
            do throws(ConfigError) {
                let configuration = try options.load()
                let built = try await GatewayApplication.build(
                    configuration: configuration, logger: logger, listen: address,
                    resolver: SecretResolver(configuration: configuration, httpClient: httpClient))
                // SIGHUP (or `kill -HUP`) re-reads the same files and swaps the configuration in.
                let hangups = await ConfigurationReloader.trapHangups()
                application = built.reloading(
                    with: {
                        () async throws(ConfigError) -> (GatewayConfiguration, SecretStore) in
                        let configuration = try InventoryOptions.load(inventory: inventory, envFiles: envFiles, process: process)
                        let secrets = try await SecretStore.resolve(
                            configuration, using: SecretResolver(configuration: configuration, httpClient: httpClient).session())
                        return (configuration, secrets)
                    }, hangups: hangups
                )
                .fetchingPomeriumKeys(with: httpClient)
            } catch {
                notStarting(error.description, format: format, logger: logger)
                throw ExitStatus.code(for: error)
            }
            let startupLogger = logger
            let pidFile = self.pidFile
            defer { if let pidFile { PIDFile.remove(pidFile) } }
            do {
                try await application.run { bound in
                    if let pidFile { PIDFile.write(pidFile, logger: startupLogger) }
                    // On stdout, so scripts can wait for readiness and learn a port-0 address (again
                    // when a reload moves the listener).
                    let address = "\(bound.ipAddress ?? "?"):\(bound.port ?? 0)"
                    FileHandle.standardOutput.write(Data("gateway: listening on \(address)\n".utf8))
                    startupLogger.info("listening", metadata: ["gateway.listen": "\(address)"])
                } onListeningTLS: { bound in
                    if let pidFile { PIDFile.write(pidFile, logger: startupLogger) }
                    let address = "\(bound.ipAddress ?? "?"):\(bound.port ?? 0)"
                    FileHandle.standardOutput.write(Data("gateway: listening on \(address) (tls)\n".utf8))
                    startupLogger.info("listening", metadata: ["gateway.listen_tls": "\(address)"])
                }
            } catch let error as ListenerBindError {
                notStarting(error.description, format: format, logger: logger)
                throw ExitCode(1)
            }
        }
        logger.info("stopped")
    }
}

/// Why the gateway does not start: a JSON log line with --log-format json, else one line on stderr.
private func notStarting(_ reason: String, format: LogFormat, logger: Logger) {
    if format == .json {
        logger.critical("not starting: \(reason)")
    } else {
        printError("gateway: not starting: \(reason)")
    }
}
