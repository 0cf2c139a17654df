import ArgumentParser
import Foundation
import GatewayCore
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load, validate and resolve the configuration, then serve.",
        discussion: """
            Never starts half-configured: an invalid inventory or an unresolvable secret reference
            stops the start with every problem listed (exit 1; 2 when a file cannot be read).
            SIGTERM or SIGINT stops the listener and exits 0.

            This build serves /livez and /readyz and answers /executor/<connector>/... and
            /scim/<connector>/... with a precise problem document; forwarding machine traffic is
            not implemented yet.

            Examples:
              gateway serve --env-file examples/demo.env
              gateway serve --inventory /etc/fractalops/connectors.yaml --env-file /etc/fractalops/.env.generated
              gateway serve --env-file examples/demo.env --listen 127.0.0.1:0
            """)

    @OptionGroup var options: InventoryOptions

    @Option(help: ArgumentHelp("Override the listen address (host:port; port 0 picks a free port).", valueName: "host:port"))
    var listen: String?

    func run() async throws {
        var logger = Logger(label: "gateway")
        logger.logLevel = .info
        let configuration: GatewayConfiguration
        do {
            configuration = try options.load()
            _ = try SecretStore.resolve(configuration, using: SecretResolution.resolver(for: configuration))
        } catch {
            printError("gateway: not starting: \(error.description)")
            throw ExitStatus.code(for: error)
        }
        for warning in configuration.warnings { logger.warning("\(warning.description)") }
        for connector in configuration.connectors where connector.isEnabled && !connector.verifyTLS {
            if case .http = connector.machineRoute {
                logger.warning("TLS verification is off for this connector's executor", metadata: ["gateway.connector": "\(connector.name)"])
            }
        }
        var address = configuration.gateway.listen
        if let listen {
            guard let parsed = HostPort(parsing: listen, allowAnyPort: true) else {
                printError("gateway: --listen '\(listen)' is not host:port (e.g. 127.0.0.1:8080).")
                throw ExitCode(2)
            }
            address = parsed
        }
        let server = ControlServer(configuration: configuration, logger: logger)
        let (channel, bound) = try await server.start(host: address.host, port: address.port)
        logger.info("listening", metadata: [
            "gateway.listen": "\(bound)", "gateway.connectors": "\(configuration.connectorNames.joined(separator: ","))",
        ])
        // Printed on stdout so scripts can wait for readiness and learn a port-0 address.
        FileHandle.standardOutput.write(Data("gateway: listening on \(address.host):\(bound.port ?? address.port)\n".utf8))
        await SignalWaiter.waitForTermination()
        logger.info("stopping")
        try await channel.close()
        try await server.shutdown()
    }
}

/// Suspends until SIGTERM or SIGINT arrives.
enum SignalWaiter {
    static func waitForTermination() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "gateway.signals")
            let once = OnceFlag()
            var sources: [DispatchSourceSignal] = []
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler {
                    if once.claim() { continuation.resume() }
                }
                source.resume()
                sources.append(source)
            }
            SignalSources.keep(sources)
        }
    }
}

/// Keeps the signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) static var retained: [DispatchSourceSignal] = []
    static func keep(_ sources: [DispatchSourceSignal]) { retained = sources }
}

final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
