import ArgumentParser
import Foundation
import GatewayCore

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Validate the configuration, have the running gateway reload it, and report the outcome.",
        discussion: """
            1. Loads and validates the inventory and env files as `validate` does; when they are
               invalid, prints every error and exits 1 without touching the running gateway.
            2. Sends SIGHUP to the running gateway (--pid, or the file `serve --pid-file` wrote).
            3. Watches gateway_config_reloads_total on its /metrics (at --url, by default
               http://<gateway.listen>) until the reload is applied (exit 0) or refused (exit 1:
               the gateway's log says why, e.g. a secret that did not resolve or a new listen
               address in use) or --timeout passes (exit 1).

            Pass the same --inventory and --env-file as the running gateway (it re-reads its own
            files; the check here is the early warning). Exit 2: no such process, an unreadable
            pid file, or /metrics unreachable (the signal is then not sent).

            Examples:
              gateway serve --env-file .env.generated --pid-file /run/gateway.pid &
              gateway reload --env-file .env.generated --pid-file /run/gateway.pid
              gateway reload --pid 1 --url http://127.0.0.1:8080          # in the container
            """)

    @OptionGroup var options: InventoryOptions

    @Option(name: .customLong("pid-file"), help: ArgumentHelp("The file `serve --pid-file` wrote.", valueName: "file"))
    var pidFile: String?

    @Option(help: "The running gateway's process id.")
    var pid: Int32?

    @Option(
        help: ArgumentHelp(
            "The running gateway's base URL (default: http://<gateway.listen>; 0.0.0.0 and :: read as loopback).",
            valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Seconds to wait for the outcome.", valueName: "seconds"))
    var timeout: Double = 30

    func validate() throws {
        guard (pid == nil) != (pidFile == nil) else {
            throw ValidationError("Pass exactly one of --pid and --pid-file.")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds.") }
    }

    func run() async throws {
        let configuration: GatewayConfiguration
        do {
            configuration = try options.load()
        } catch {
            print(ValidationReport(inventory: options.inventory, error: error).text)
            printError("gateway: not reloading: the configuration is invalid (the running gateway keeps its own).")
            throw ExitStatus.code(for: error)
        }
        let target = try processID()
        let configured = Self.metricsURL(Self.defaultURL(configuration.gateway.listen))
        let metricsURL = url.map(Self.metricsURL) ?? configured
        // A reload that moves the listener answers at the new address afterwards.
        let afterwards = metricsURL == configured ? [metricsURL] : [metricsURL, configured]
        try await OutboundHTTPClient.with { client in
            let before: ReloadCounters
            do {
                before = try await ReloadCounters.read(from: metricsURL, client: client)
            } catch {
                printError(
                    "gateway: cannot read \(metricsURL) (\(error)); not signalling. Pass --url with the running gateway's address (its listen address may be about to change)."
                )
                throw ExitCode(2)
            }
            guard kill(target, SIGHUP) == 0 else {
                printError("gateway: cannot signal process \(target): \(String(cString: strerror(errno))).")
                throw ExitCode(2)
            }
            let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                var read: ReloadCounters?
                for candidate in afterwards where read == nil {
                    read = try? await ReloadCounters.read(from: candidate, client: client)
                }
                guard let now = read else { continue }
                if now.refused > before.refused {
                    printError("gateway: process \(target) refused the new configuration and keeps serving the old one; its log says why.")
                    throw ExitCode(1)
                }
                if now.applied > before.applied {
                    print("gateway: process \(target) reloaded: configuration applied (\(configuration.connectorNames.count) connectors).")
                    return
                }
            }
            printError("gateway: process \(target) was signalled, but no reload outcome appeared on \(metricsURL) within \(timeout) s.")
            throw ExitCode(1)
        }
    }

    /// The target process, checked to exist.
    func processID() throws -> Int32 {
        var target = pid ?? 0
        if let pidFile {
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else {
                printError("gateway: cannot read the pid file \(pidFile); is the gateway running with --pid-file \(pidFile)?")
                throw ExitCode(2)
            }
            guard let parsed = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), parsed > 0 else {
                printError("gateway: the pid file \(pidFile) does not hold a process id.")
                throw ExitCode(2)
            }
            target = parsed
        }
        guard target > 0, kill(target, 0) == 0 || errno == EPERM else {
            printError("gateway: no process \(target)\(pidFile.map { " (from \($0): a stale pid file?)" } ?? "").")
            throw ExitCode(2)
        }
        return target
    }

    static func metricsURL(_ base: String) -> String {
        base.hasSuffix("/") ? "\(base)metrics" : "\(base)/metrics"
    }

    static func defaultURL(_ listen: HostPort) -> String {
        switch listen.host {
        case "0.0.0.0", "": return "http://127.0.0.1:\(listen.port)"
        case "::", "[::]": return "http://[::1]:\(listen.port)"
        default: return listen.host.contains(":") ? "http://[\(listen.host)]:\(listen.port)" : "http://\(listen.host):\(listen.port)"
        }
    }
}
