import ArgumentParser
import Foundation
import GatewayCore

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check every connector through the same path as its traffic; print a table or JSON.",
        discussion: """
            One check per connector, all at once: configuration, secret, DNS, TCP connect, TLS
            handshake (verification, certificate names, days until expiry) and the connector's own
            probe (HTTP status, or gRPC health for Temporal), each timed, through the executor URL,
            Host header, TLS settings and injected credential its traffic uses.

            States: ok; degraded (slower than health.degraded_after, or a certificate expiring
            within health.cert_expiry_warning_days); skip (the upstream answered 5xx: a shared
            service fault, reported, never routed around); fail (refused, DNS, timeout, TLS
            rejected, 401/403, misconfigured, unresolvable secret); unconfigured (no executor).

            Exit status: 0 when nothing failed, 1 when a check failed (or was skipped, with
            --fail-on skip), 2 when the configuration cannot be loaded. Colour only on a terminal
            (and never with NO_COLOR set).

            Examples:
              gateway health --env-file examples/demo.env
              gateway health langboard nexus --timeout 2
              gateway health --json --fail-on skip
            """)

    @Argument(help: ArgumentHelp("Only these connectors (default: all).", valueName: "connector"))
    var connectors: [String] = []

    @OptionGroup var options: InventoryOptions

    @Flag(help: "Print the report as JSON (schema: README, 'Health checks').")
    var json = false

    @Option(help: ArgumentHelp(
        "Time allowed for each check and for its secret lookup (seconds, or 500ms/2s); overrides health.timeout.", valueName: "seconds"))
    var timeout: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "The least severe state that makes the exit status 1: fail (default), skip or degraded.", valueName: "state"))
    var failOn: String = "fail"

    func run() async throws {
        guard let threshold = HealthState(rawValue: failOn), [.fail, .skip, .degraded].contains(threshold) else {
            printError("gateway health: --fail-on '\(failOn)' is not one of fail, skip, degraded.")
            throw ExitCode(2)
        }
        var seconds: Double?
        if let timeout {
            guard let parsed = DurationParser.seconds(from: timeout), parsed > 0 else {
                printError("gateway health: --timeout '\(timeout)' is not a duration (e.g. 3, 500ms, 2s).")
                throw ExitCode(2)
            }
            seconds = parsed
        }
        let configuration: GatewayConfiguration
        do {
            configuration = try options.load()
        } catch {
            printError("gateway health: \(error.description)")
            throw ExitCode(2)
        }
        for name in connectors where configuration.connector(named: name) == nil {
            printError("gateway health: no connector named '\(name)' in \(options.inventory).\(Suggestion.didYouMean(name, in: configuration.connectorNames)) Known: \(configuration.connectorNames.joined(separator: ", ")).")
            throw ExitCode(2)
        }
        let only = connectors.isEmpty ? nil : connectors
        let started = ContinuousClock.now
        var report = await OutboundHTTPClient.with { httpClient in
            let resolver = SecretResolver(configuration: configuration, httpClient: httpClient)
            let plans = await HealthPlanner.plans(
                configuration: configuration, only: only, timeout: seconds, resolve: resolver.session())
            return await HealthEngine().run(plans, concurrency: max(1, plans.count))
        }
        // The whole run, secret resolution included.
        let elapsed = ContinuousClock.now - started
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if json {
            print(report.jsonText(), terminator: "")
        } else {
            let color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            print(HealthTable.render(report, color: color), terminator: "")
        }
        if report.hasFailure(atLeast: threshold) { throw ExitCode(1) }
    }
}
