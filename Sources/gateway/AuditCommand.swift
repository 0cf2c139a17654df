import ArgumentParser
import Foundation
import GatewayCore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Find literal secrets in env files, inventories, topology files and rendered files.",
        discussion: """
            Reports every literal secret where a reference belongs: a sensitive key (token, secret,
            password, api key, private key, ...) holding a value that is not a reference, and a URL
            that carries a credential (a user or password before the host, a token-like query
            parameter such as token, key, access_token, api_key, auth). Each finding names the
            file, the line, the key (a YAML key as its path, connector_inventory[nexus].auth.token)
            and why. Values are never printed, not even in part.

            Files ending in .yaml, .yml or .json are read as YAML, everything else as a dotenv
            file. A folder is searched for env files (*.env, .env, .env.*) and YAML files, hidden
            folders skipped.

            Exit status: 0 when nothing was found, 1 when a literal secret was found, 2 when a
            path cannot be read or parsed (what could be read is still reported).

            Examples:
              gateway audit .env.generated connectors.yaml
              gateway audit /opt/fractalops/shared --json
            """)

    @Argument(help: ArgumentHelp("Files or folders to audit.", valueName: "path"))
    var paths: [String]

    @Flag(help: "Print the findings as JSON.")
    var json = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one file or folder to audit.") }
    }

    func run() throws {
        let result = SecretAudit.run(paths: paths)
        for problem in result.problems { printError("gateway audit: \(problem)") }
        if json {
            print(jsonText(AuditReport(result)))
        } else {
            for finding in result.findings { print(finding.description) }
            let files = result.files.count
            let noun = files == 1 ? "file" : "files"
            if result.findings.isEmpty {
                print("no literal secrets in \(files) \(noun)")
            } else {
                let holding = Set(result.findings.map(\.file)).count
                let count = result.findings.count
                print("\(count) literal secret\(count == 1 ? "" : "s") in \(holding) of \(files) \(noun) (values not shown)")
            }
        }
        if !result.problems.isEmpty { throw ExitCode(2) }
        if !result.findings.isEmpty { throw ExitCode(1) }
    }
}
