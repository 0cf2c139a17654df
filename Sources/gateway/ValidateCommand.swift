import ArgumentParser
import Foundation
import GatewayCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the inventory and env files; report every problem at once.",
        discussion: """
            Exit status: 0 when valid, 1 with all errors listed, 2 when a file cannot be read.
            Each error names the file:line (or the env variable and its file:line), the connector,
            the key, what is wrong and what to do instead. Secret values are never printed.

            Examples:
              gateway validate
              gateway validate --inventory connectors.yaml --env-file .env.generated --env-file lab.env
              gateway validate --json
              gateway validate --env-file examples/demo.env --resolve-secrets
            """)

    @OptionGroup var options: InventoryOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(name: .customLong("resolve-secrets"), help: "Also resolve every secret reference in use (values are never printed).")
    var resolveSecrets = false

    func run() throws {
        let report: ValidationReport
        var failure: ConfigError?
        do {
            let configuration = try options.load()
            if resolveSecrets {
                _ = try SecretStore.resolve(configuration, using: SecretResolution.resolver(for: configuration))
            }
            report = ValidationReport(inventory: options.inventory, configuration: configuration)
        } catch {
            report = ValidationReport(inventory: options.inventory, error: error)
            failure = error
        }
        print(json ? jsonText(report) : report.text)
        if let failure { throw ExitStatus.code(for: failure) }
    }
}
