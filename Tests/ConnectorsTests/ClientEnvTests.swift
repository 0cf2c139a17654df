import FoundationEssentials
import Testing

@testable import Connectors
@testable import GatewayCore

/// `render-env --for-clients`: what a principal's machines get, from the bundled inventory.
@Suite("client env")
struct ClientEnvTests {
    static func bundled(_ extra: String = "") throws -> GatewayConfiguration {
        let files = [try TestInventory.demoEnv()] + (extra.isEmpty ? [] : [try TestInventory.envFile(extra)])
        return try TestInventory.loader(files: files).load(
            path: TestInventory.packageRoot.appendingPathComponent("connectors.yaml").path, displayPath: "connectors.yaml")
    }

    static let gateway = try! EndpointURL(parsing: "https://gateway.internal:8443/")

    static func values(_ configuration: GatewayConfiguration, _ principal: String) throws -> [String: String] {
        let entries = try ClientEnvProjection.project(configuration, gatewayURL: gateway, principal: principal)
        return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    @Test func everyConnectorIsReachedThroughTheGateway() throws {
        let worker = try Self.values(Self.bundled(), "worker")
        #expect(worker["FRACTALOPS_GATEWAY_URL"] == "https://gateway.internal:8443")
        #expect(worker["FRACTALOPS_GATEWAY_TOKEN"] == "env://FRACTALOPS_GATEWAY_WORKER_TOKEN")
        #expect(worker["FRACTALOPS_LANGBOARD_EXECUTOR_URL"] == "https://gateway.internal:8443/executor/langboard")
        #expect(worker["FRACTALOPS_LANGBOARD_RUNTIME_ASSET_ID"] == "langboard-api")
        #expect(worker["FRACTALOPS_TEMPORAL_EXECUTOR_ADDRESS"] == "gateway.internal:7234", "the listener on the gateway's host")
        #expect(worker["FRACTALOPS_NEXUS_EXECUTOR_URL"] == nil, "the worker may not use nexus")
        let gatewaySide = worker.keys.filter { $0.hasSuffix("_HOST_HEADER") || $0.hasSuffix("_VERIFY_TLS") || $0.hasSuffix("_API_KEY") }
        #expect(gatewaySide.isEmpty, "Host, TLS and credentials stay in the gateway: \(gatewaySide)")
    }

    @Test func aSCIMConnectorsBaseIsItsExecutorURL() throws {
        let provisioner = try Self.values(Self.bundled(), "provisioner")
        #expect(provisioner["FRACTALOPS_NEXUS_SCIM_BASE_URL"] == "https://gateway.internal:8443/scim/nexus")
        #expect(provisioner["FRACTALOPS_NEXUS_EXECUTOR_URL"] == "https://gateway.internal:8443/scim/nexus")
        #expect(provisioner["FRACTALOPS_DAYTONA_EXECUTOR_URL"] == nil)
    }

    @Test func disabledConnectorsAndUnknownPrincipalsAreLeftOut() throws {
        let operatorEnv = try Self.values(Self.bundled("FRACTALOPS_TEMPORAL_ENABLED=false\n"), "operator")
        #expect(operatorEnv["FRACTALOPS_TEMPORAL_EXECUTOR_ADDRESS"] == nil)
        #expect(operatorEnv["FRACTALOPS_CLIPROXY_EXECUTOR_URL"] != nil)
        #expect(throws: ClientEnvProjection.Failure.self) { try Self.values(Self.bundled(), "wrker") }
    }

    @Test func aLiteralTokenIsNeverWrittenIntoAClientEnv() throws {
        let configuration = try TestInventory.load(
            """
            gateway:
              principals:
                - {name: worker, token: "a-literal-token-value", connectors: ["*"]}
            connector_inventory: []
            """)
        let failure = #expect(throws: ClientEnvProjection.Failure.self) {
            try ClientEnvProjection.project(configuration, gatewayURL: Self.gateway, principal: "worker")
        }
        #expect(failure?.description.contains("literal token") == true)
        #expect(failure?.description.contains("a-literal-token-value") == false)
    }
}
