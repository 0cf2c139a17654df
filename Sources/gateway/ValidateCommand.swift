import ArgumentParser
import Foundation
import GatewayCore

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the inventory and env files; report every problem at once.",
        discussion: """
            Exit status: 0 when valid, 1 with all errors listed, 2 when a file cannot be read.
            Validate builds what serve builds before it listens (routes, TLS contexts from the
            files the settings name), so a configuration serve would refuse is refused here too;
            material behind openbao:// or env:// references is built with --resolve-secrets.
            Each error names the file:line (or the env variable and its file:line), the connector,
            the key, what is wrong and what to do instead. Secret values are never printed.

            --resolve-secrets resolves every reference an enabled connector or a principal uses,
            as serve does at start: env:// and file:// locally, openbao:// through OpenBao (the
            gateway.openbao: section, FRACTALOPS_OPENBAO_ADDR, a token, AppRole or Kubernetes
            login). Each failure names the reference, the connector and the key, never a value.

            Examples:
              gateway validate
              gateway validate --inventory connectors.yaml --env-file .env.generated --env-file lab.env
              gateway validate --json
              gateway validate --env-file examples/demo.env --resolve-secrets
              FRACTALOPS_OPENBAO_ADDR=https://openbao.internal:8200 BAO_TOKEN=... \\
                  gateway validate --env-file .env.generated --resolve-secrets
            """)

    @OptionGroup var options: InventoryOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(name: .customLong("resolve-secrets"), help: "Also resolve every secret reference in use (values are never printed).")
    var resolveSecrets = false

    func run() async throws {
        let report: ValidationReport
        var failure: ConfigError?
        do {
            let configuration = try options.load()
            var secrets: SecretStore?
            if resolveSecrets {
                secrets = try await OutboundHTTPClient.with { client throws(ConfigError) in
                    try await SecretStore.resolve(
                        configuration, using: SecretResolver(configuration: configuration, httpClient: client).session())
                }
            }
            // What serve builds before it binds (routes, TLS contexts): what it would refuse, so does validate.
            try ConfigurationDryRun.check(configuration, secrets: secrets)
            report = ValidationReport(inventory: options.inventory, configuration: configuration)
        } catch {
            report = ValidationReport(inventory: options.inventory, error: error)
            failure = error
        }
        print(json ? jsonText(report) : report.text)
        if let failure { throw ExitStatus.code(for: failure) }
    }
}
