import ArgumentParser

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "The FractalOps connector gateway: one place for every connector's URL, auth and health contract.",
        discussion: """
            Reads the connector inventory (connectors.yaml, or a platform topology file) and the \
            generated env, then serves machine traffic to each connector's executor URL.

            Precedence: the process environment wins over env files, later --env-file wins over \
            earlier ones, env files win over the inventory.
            """,
        subcommands: [
            ServeCommand.self, ReloadCommand.self, ValidateCommand.self, ExplainCommand.self, RenderEnvCommand.self,
            HealthCommand.self, AuditCommand.self,
        ],
        defaultSubcommand: nil
    )
}
