import Synchronization
import Testing

@testable import GatewayCore

@Suite("EnvHardener (render-env --harden-refs)")
struct EnvHardenerTests {
    static let literals = [
        EnvProjection.Entry(key: "FRACTALOPS_BOARD_API_KEY", value: "KNOWN-board"),
        EnvProjection.Entry(key: "FRACTALOPS_NEXUS_TOKEN", value: "KNOWN-nexus"),
    ]

    func client(_ fake: FakeOpenBao, token: String) -> OpenBaoClient {
        OpenBaoClient(
            configuration: OpenBaoConfiguration(address: EndpointURL(scheme: .http, host: "127.0.0.1", port: 8200)),
            transport: fake, environment: EnvironmentLayers(process: ["FRACTALOPS_OPENBAO_TOKEN": token]))
    }

    @Test("the scope is <mount>/<path>", arguments: ["secret", "secret/", "/path", "secret/a#b", "secret/a//b"])
    func badScope(scope: String) {
        #expect(throws: EnvHardener.Failure.self) { try EnvHardener(scope: scope) }
    }

    @Test("literals are written in one merge with check-and-set and replaced by references")
    func harden() async throws {
        let fake = FakeOpenBao()
        fake.put("gateway/lab", #"{"already":"there"}"#)
        let hardener = try EnvHardener(scope: "secret/gateway/lab")
        let overlay = try await hardener.harden(Self.literals, client: client(fake, token: "root"))
        #expect(overlay.values["FRACTALOPS_BOARD_API_KEY"]?.value == "openbao://secret/gateway/lab#FRACTALOPS_BOARD_API_KEY")
        #expect(overlay.values["FRACTALOPS_NEXUS_TOKEN"]?.value == "openbao://secret/gateway/lab#FRACTALOPS_NEXUS_TOKEN")
        let writes = fake.sent.filter { $0.method == "POST" }
        #expect(writes.count == 1)
        #expect(
            writes.first?.body
                == #"{"data":{"FRACTALOPS_BOARD_API_KEY":"KNOWN-board","FRACTALOPS_NEXUS_TOKEN":"KNOWN-nexus","already":"there"},"options":{"cas":1}}"#
        )
    }

    @Test("without write access nothing is written and the failure lists the keys, not the values")
    func readOnly() async throws {
        let fake = FakeOpenBao(tokens: ["reader": (0, false)])
        fake.state.withLock { $0.readOnly = ["reader"] }
        fake.put("gateway/lab", #"{"already":"there"}"#)
        let hardener = try EnvHardener(scope: "secret/gateway/lab")
        let failure = await #expect(throws: EnvHardener.Failure.self) {
            try await hardener.harden(Self.literals, client: client(fake, token: "reader"))
        }
        #expect(failure?.keys == ["FRACTALOPS_BOARD_API_KEY", "FRACTALOPS_NEXUS_TOKEN"])
        let text = failure?.description ?? ""
        #expect(text.contains("Nothing was written"))
        #expect(text.contains("FRACTALOPS_NEXUS_TOKEN -> openbao://secret/gateway/lab#FRACTALOPS_NEXUS_TOKEN"))
        #expect(!text.contains("KNOWN-"))
        #expect(fake.state.withLock { $0.secrets["secret/data/gateway/lab"]?.count } == 1)
    }

    @Test("the OpenBao login variables are never moved into OpenBao")
    func bootstrap() {
        let movable = EnvHardener.movable(
            Self.literals + [
                EnvProjection.Entry(key: "FRACTALOPS_OPENBAO_TOKEN", value: "s.x"),
                EnvProjection.Entry(key: "FRACTALOPS_OPENBAO_SECRET_ID", value: "x"),
            ])
        #expect(movable.map(\.key) == ["FRACTALOPS_BOARD_API_KEY", "FRACTALOPS_NEXUS_TOKEN"])
    }
}
