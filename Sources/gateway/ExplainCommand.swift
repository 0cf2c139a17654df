import ArgumentParser
import GatewayCore

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show every effective setting and where it came from, secrets redacted.",
        discussion: """
            For each connector: the effective connector_mode and why (override, synonym, default
            of kind), the machine route (executor URL, or none and why), the runtime asset, and
            every setting with its source (file:line, env variable with its file:line, derived,
            default). Secrets show their reference, never a value.

            Examples:
              gateway explain
              gateway explain langboard
              gateway explain nexus --env-file .env.generated --json
            """)

    @Argument(help: "Only this connector.")
    var connector: String?

    @OptionGroup var options: InventoryOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let configuration: GatewayConfiguration
        do {
            configuration = try options.load()
        } catch {
            printError(error.description)
            throw ExitStatus.code(for: error)
        }
        if let connector, configuration.connector(named: connector) == nil {
            printError(
                "No connector named '\(connector)' in \(options.inventory).\(Suggestion.didYouMean(connector, in: configuration.connectorNames)) Known: \(configuration.connectorNames.joined(separator: ", "))."
            )
            throw ExitCode(1)
        }
        let report = ExplainReport(configuration, only: connector)
        print(json ? jsonText(report) : report.text)
    }
}
