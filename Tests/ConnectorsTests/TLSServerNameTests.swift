import Testing

@testable import Connectors
@testable import GatewayCore

/// The seed's three-variable TLS contract: an executor dialled by address with a Host override
/// is verified as the Host's name unless `tls_server_name` names another.
@Suite("TLS server name")
struct TLSServerNameTests {
    static let yaml = """
        connector_inventory:
          - name: langboard
            kind: langboard
            executor_url: https://127.0.0.1:1
            auth: {api_key: env://LB_KEY}
          - name: daytona
            kind: daytona
            executor_url: https://10.0.0.9:3986
            host_header: daytona.internal
            toolbox_proxy_url: https://10.0.0.9:3987/toolbox
            auth: {api_key: env://DAYTONA_KEY}
        """

    static func executorRoutes(_ process: [String: String]) throws -> (GatewayConfiguration, RouteTable) {
        let configuration = try TestInventory.load(yaml, process: process)
        var secrets = SecretStore()
        secrets.setForTesting("langboard/auth.api_key", SecretValue("k"))
        secrets.setForTesting("daytona/auth.api_key", SecretValue("k"))
        return (configuration, try RouteTable(configuration: configuration, secrets: secrets, eventLoopCount: 1))
    }

    static func targets(_ table: RouteTable, _ name: String) -> [UpstreamTarget] {
        guard case let .upstream(routes)? = table.routes[name] else { return [] }
        return routes.executor.map(\.target)
    }

    /// `FRACTALOPS_LANGBOARD_EXECUTOR_URL=https://10.20.0.15:1002`, `_HOST_HEADER=langboard.internal`,
    /// `_VERIFY_TLS=true`: the certificate checked is langboard.internal's.
    @Test func theSeedsThreeVariablesVerifyTheHostHeadersName() throws {
        let (configuration, table) = try Self.executorRoutes([
            "FRACTALOPS_LANGBOARD_EXECUTOR_URL": "https://10.20.0.15:1002",
            "FRACTALOPS_LANGBOARD_HOST_HEADER": "langboard.internal",
            "FRACTALOPS_LANGBOARD_VERIFY_TLS": "true",
        ])
        let target = try #require(Self.targets(table, "langboard").first)
        #expect(target.host == "10.20.0.15")
        #expect(target.serverHostname == "langboard.internal")
        #expect(target.hostHeader == "langboard.internal")
        let connector = try #require(configuration.connectors.first { $0.name == "langboard" })
        let choice = try #require(connector.executorTLSServerName)
        #expect(choice.name == "langboard.internal")
        #expect(choice.reason.contains("host_header"))
        #expect(choice.reason.contains("FRACTALOPS_LANGBOARD_HOST_HEADER"))
    }

    @Test func tlsServerNameOverridesTheHostHeader() throws {
        let (configuration, table) = try Self.executorRoutes([
            "FRACTALOPS_LANGBOARD_EXECUTOR_URL": "https://10.20.0.15:1002",
            "FRACTALOPS_LANGBOARD_HOST_HEADER": "langboard.internal",
            "FRACTALOPS_LANGBOARD_TLS_SERVER_NAME": "api.langboard.internal",
        ])
        #expect(Self.targets(table, "langboard").first?.serverHostname == "api.langboard.internal")
        let connector = try #require(configuration.connectors.first { $0.name == "langboard" })
        #expect(connector.executorTLSServerName?.reason.hasPrefix("tls_server_name") == true)
    }

    @Test func aHostHeaderWithAPortGivesItsHostOnly() throws {
        let (_, table) = try Self.executorRoutes([
            "FRACTALOPS_LANGBOARD_EXECUTOR_URL": "https://10.20.0.15:1002",
            "FRACTALOPS_LANGBOARD_HOST_HEADER": "langboard.internal:1002",
        ])
        #expect(Self.targets(table, "langboard").first?.serverHostname == "langboard.internal")
    }

    @Test func anAddressWithNothingNamingItVerifiesTheAddress() throws {
        let (configuration, table) = try Self.executorRoutes([:])
        #expect(Self.targets(table, "langboard").first?.serverHostname == nil)
        let connector = try #require(configuration.connectors.first { $0.name == "langboard" })
        #expect(connector.executorTLSServerName?.reason.contains("must carry that address") == true)
    }

    @Test func aNamedExecutorKeepsItsOwnName() throws {
        let (_, table) = try Self.executorRoutes([
            "FRACTALOPS_LANGBOARD_EXECUTOR_URL": "https://lb.example.com:1002",
            "FRACTALOPS_LANGBOARD_HOST_HEADER": "langboard.internal",
        ])
        #expect(Self.targets(table, "langboard").first?.serverHostname == "lb.example.com")
    }

    /// Daytona's toolbox proxy sends no Host override, so its address is not renamed.
    @Test func anUpstreamWithoutAHostOverrideIsNotRenamed() throws {
        let (_, table) = try Self.executorRoutes([:])
        let targets = Self.targets(table, "daytona")
        #expect(targets.contains { $0.port == 3986 && $0.serverHostname == "daytona.internal" })
        #expect(targets.contains { $0.port == 3987 && $0.serverHostname == nil })
    }

    @Test func explainShowsTheNameAndWhy() throws {
        let (configuration, _) = try Self.executorRoutes([
            "FRACTALOPS_LANGBOARD_EXECUTOR_URL": "https://10.20.0.15:1002",
            "FRACTALOPS_LANGBOARD_HOST_HEADER": "langboard.internal",
        ])
        let text = ExplainReport(configuration, only: "langboard").text
        #expect(text.contains("tls name        langboard.internal  (host_header"))
    }
}
