import ArgumentParser
import Foundation
import GatewayCore
import NIOCore

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

            --url URL (repeatable) asks running gateways instead: each replica's
            /health/connectors report is read (no secret, no reach into the upstreams needed) and
            the combined view printed: every replica's state, and per connector the worst state
            any replica reported, with each replica's. The exit status is computed on the worst
            states, and is also 1 when a replica cannot be reached, answers something other than
            a health report, or has not finished its first round (it is reported with the reason).

            Examples:
              gateway health --env-file examples/demo.env
              gateway health langboard nexus --timeout 2
              gateway health --json --fail-on skip
              gateway health --url http://gateway-0.internal:8080 --url http://gateway-1.internal:8080
            """)

    @Argument(help: ArgumentHelp("Only these connectors (default: all).", valueName: "connector"))
    var connectors: [String] = []

    @OptionGroup var options: InventoryOptions

    @Option(
        name: .customLong("url"),
        help: ArgumentHelp(
            "Read the report of a running gateway at this URL instead of checking here; repeatable (one per replica).", valueName: "url"))
    var urls: [String] = []

    @Flag(help: "Print the report as JSON (schema: docs/health.md and docs/health-report.schema.json).")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Time allowed for each check and for its secret lookup (seconds, or 500ms/2s); overrides health.timeout.", valueName: "seconds"))
    var timeout: String?

    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp(
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
        if !urls.isEmpty { return try await askReplicas(threshold: threshold, timeout: seconds) }
        let configuration: GatewayConfiguration
        do {
            configuration = try options.load()
        } catch {
            printError("gateway health: \(error.description)")
            throw ExitCode(2)
        }
        for name in connectors where configuration.connector(named: name) == nil {
            printError(
                "gateway health: no connector named '\(name)' in \(options.inventory).\(Suggestion.didYouMean(name, in: configuration.connectorNames)) Known: \(configuration.connectorNames.joined(separator: ", "))."
            )
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

    /// `--url`: the combined report of running gateways.
    private func askReplicas(threshold: HealthState, timeout: Double?) async throws {
        if options.inventory != "connectors.yaml" || !options.envFiles.isEmpty {
            printError("gateway health: --url reads the reports of running gateways; --inventory and --env-file do not apply to it.")
            throw ExitCode(2)
        }
        for url in urls where ReplicaFetcher.reportURL(for: url) == nil {
            printError("gateway health: --url '\(url)' is not an http:// or https:// URL with a host, e.g. http://gateway-0.internal:8080.")
            throw ExitCode(2)
        }
        let replicas = await OutboundHTTPClient.with { client in
            await ReplicaFetcher(client: client, timeout: .milliseconds(Int64((timeout ?? 10) * 1000))).fetch(urls)
        }
        let answered = replicas.compactMap(\.report)
        if !answered.isEmpty {
            let known = Set(answered.flatMap { $0.connectors.map(\.name) })
            for name in connectors where !known.contains(name) {
                let names = known.sorted()
                printError(
                    "gateway health: no replica reports a connector named '\(name)'.\(Suggestion.didYouMean(name, in: names)) Known: \(names.joined(separator: ", "))."
                )
                throw ExitCode(2)
            }
        }
        let fleet = FleetHealth(replicas: replicas, only: connectors.isEmpty ? nil : connectors)
        for replica in replicas {
            if let problem = replica.problem { printError("gateway health: replica \(replica.url): \(problem)") }
        }
        if json {
            print(fleet.jsonText(), terminator: "")
        } else {
            let color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            print(fleet.table(color: color), terminator: "")
        }
        if fleet.hasFailure(atLeast: threshold) { throw ExitCode(1) }
    }
}
