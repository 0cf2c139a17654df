import Synchronization
import Testing

@testable import GatewayCore

@Suite("OpenBaoScopes (render-env --harden-refs with several scopes)")
struct OpenBaoScopesTests {
    static let connectors = [(name: "daytona", envPrefix: "FRACTALOPS_DAYTONA_"), (name: "nexus", envPrefix: "FRACTALOPS_NEXUS_")]
    static let literals = [
        EnvProjection.Entry(key: "FRACTALOPS_NEXUS_TOKEN", value: "KNOWN-nexus"),
        EnvProjection.Entry(key: "FRACTALOPS_DAYTONA_API_KEY", value: "KNOWN-daytona"),
        EnvProjection.Entry(key: "FRACTALOPS_DATABASE_URL", value: "postgres://u:KNOWN-db@db/app"),
    ]

    func client(_ fake: FakeOpenBao, token: String) -> OpenBaoClient {
        OpenBaoClient(
            configuration: OpenBaoConfiguration(address: EndpointURL(scheme: .http, host: "127.0.0.1", port: 8200)),
            transport: fake, environment: EnvironmentLayers(process: ["FRACTALOPS_OPENBAO_TOKEN": token]))
    }

    @Test("the platform's list form: commas, blanks ignored")
    func list() {
        #expect(OpenBaoScopes.list("connectors, connectors/daytona,,") == ["connectors", "connectors/daytona"])
        #expect(OpenBaoScopes.list("").isEmpty)
    }

    @Test("a scope ending in a connector's name takes its variables; the first scope takes the rest")
    func assignment() throws {
        let scopes = try OpenBaoScopes(scopes: ["connectors", "connectors/daytona"], mount: "secret", connectors: Self.connectors)
        #expect(scopes.hardeners.map(\.scope) == ["secret/connectors", "secret/connectors/daytona"])
        #expect(scopes.reference(for: "FRACTALOPS_DAYTONA_API_KEY").description == "openbao://secret/connectors/daytona#FRACTALOPS_DAYTONA_API_KEY")
        #expect(scopes.reference(for: "FRACTALOPS_NEXUS_TOKEN").description == "openbao://secret/connectors#FRACTALOPS_NEXUS_TOKEN")
        #expect(scopes.reference(for: "FRACTALOPS_DATABASE_URL").description == "openbao://secret/connectors#FRACTALOPS_DATABASE_URL")
        let groups = scopes.assign(Self.literals)
        #expect(groups.map(\.hardener.scope) == ["secret/connectors", "secret/connectors/daytona"])
        #expect(groups.map { $0.entries.map(\.key) } == [["FRACTALOPS_NEXUS_TOKEN", "FRACTALOPS_DATABASE_URL"], ["FRACTALOPS_DAYTONA_API_KEY"]])
    }

    @Test(
        "refused scope sets: none, twice, two for one connector, a bad mount",
        arguments: [
            ([String](), nil as String?), (["secret/a", "secret/a"], nil),
            (["secret/a", "secret/x/daytona", "secret/y/daytona"], nil), (["connectors"], "secret/kv"), (["connectors"], nil),
        ])
    func refused(scopes: [String], mount: String?) {
        #expect(throws: EnvHardener.Failure.self) { try OpenBaoScopes(scopes: scopes, mount: mount, connectors: Self.connectors) }
    }

    @Test("a later scope that names no connector of the inventory is left unused, not refused")
    func unusedScope() throws {
        let scopes = try OpenBaoScopes(
            scopes: ["secret/connectors", "secret/connectors/langboard", "secret/connectors/daytona"], connectors: Self.connectors)
        #expect(scopes.unused == ["secret/connectors/langboard"])
        #expect(scopes.assign(Self.literals).map(\.hardener.scope) == ["secret/connectors", "secret/connectors/daytona"])
    }

    @Test("every scope is written once, merged, and the overlay holds each key's reference")
    func harden() async throws {
        let fake = FakeOpenBao()
        fake.put("connectors", #"{"already":"there"}"#)
        let scopes = try OpenBaoScopes(scopes: ["secret/connectors", "secret/connectors/daytona"], connectors: Self.connectors)
        let overlay = try await scopes.harden(Self.literals, client: client(fake, token: "root"))
        #expect(overlay.values["FRACTALOPS_DAYTONA_API_KEY"]?.value == "openbao://secret/connectors/daytona#FRACTALOPS_DAYTONA_API_KEY")
        #expect(overlay.values["FRACTALOPS_DATABASE_URL"]?.value == "openbao://secret/connectors#FRACTALOPS_DATABASE_URL")
        let writes = fake.sent.filter { $0.method == "POST" }
        #expect(writes.map(\.path) == ["secret/data/connectors", "secret/data/connectors/daytona"])
        #expect(
            writes.first?.body
                == #"{"data":{"FRACTALOPS_DATABASE_URL":"postgres://u:KNOWN-db@db/app","FRACTALOPS_NEXUS_TOKEN":"KNOWN-nexus","already":"there"},"options":{"cas":1}}"#
        )
        #expect(writes.last?.body == #"{"data":{"FRACTALOPS_DAYTONA_API_KEY":"KNOWN-daytona"},"options":{"cas":0}}"#)
    }

    @Test("without write access nothing is written and every key is listed with its own scope's reference")
    func readOnly() async throws {
        let fake = FakeOpenBao(tokens: ["reader": (0, false)])
        fake.state.withLock { $0.readOnly = ["reader"] }
        let scopes = try OpenBaoScopes(scopes: ["secret/connectors", "secret/connectors/daytona"], connectors: Self.connectors)
        let failure = await #expect(throws: EnvHardener.Failure.self) {
            try await scopes.harden(Self.literals, client: client(fake, token: "reader"))
        }
        let text = failure?.description ?? ""
        #expect(text.contains("Nothing was written"))
        #expect(text.contains("FRACTALOPS_DAYTONA_API_KEY -> openbao://secret/connectors/daytona#FRACTALOPS_DAYTONA_API_KEY"))
        #expect(text.contains("FRACTALOPS_NEXUS_TOKEN -> openbao://secret/connectors#FRACTALOPS_NEXUS_TOKEN"))
        #expect(!text.contains("KNOWN-"))
        #expect(fake.state.withLock { $0.secrets.isEmpty })
    }
}
