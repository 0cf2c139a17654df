import Foundation
import Testing

@testable import Connectors
@testable import GatewayCore

/// The bundled connectors.yaml runs as-is: it loads with and without examples/demo.env, and
/// every effective setting says where it came from.
@Suite("Bundled connectors.yaml")
struct BundledInventoryTests {
    let yaml: String

    init() throws {
        yaml = try TestInventory.packageFile("connectors.yaml")
    }

    func load(files: [DotEnvFile] = [], process: [String: String] = [:]) throws -> GatewayConfiguration {
        try TestInventory.loader(files: files, process: process)
            .load(text: yaml, path: "connectors.yaml", baseDirectory: TestInventory.packageRoot.path)
    }

    /// The 1-based line of the first line of the bundled file that contains `text`.
    func line(of text: String) throws -> Int {
        let lines = yaml.components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.contains(text) }, "'\(text)' is not in connectors.yaml")
        return index + 1
    }

    @Test("loads with the demo env and without it (references are only syntax-checked)")
    func loadsWithAndWithoutDemoEnv() throws {
        let withDemo = try load(files: [TestInventory.demoEnv()])
        let without = try load()
        for config in [withDemo, without] {
            #expect(config.connectorNames == ["langboard", "nexus", "daytona", "cliproxy", "temporal", "status-page"])
            // Temporal's listener is a gRPC proxy: the worker's token is checked on every call.
            #expect(config.warnings.isEmpty, "\(config.warnings)")
            #expect(!config.isTopologyFile)
            #expect(config.gateway.principals.map(\.name) == ["worker", "provisioner", "operator"])
            #expect(config.gateway.listen == HostPort(host: "127.0.0.1", port: 8080))
            #expect(config.gateway.runtimeAssetID == "connector-gateway")
            #expect(config.gateway.healthDegradedAfter == 1.5)
        }
        // The same file read from disk, named by its display path.
        let fromDisk = try TestInventory.loader().load(
            path: TestInventory.packageRoot.appendingPathComponent("connectors.yaml").path, displayPath: "connectors.yaml")
        #expect(fromDisk.inventoryPath == "connectors.yaml")
    }

    @Test("every secret reference of the bundled inventory resolves from the demo env")
    func demoSecretsResolve() throws {
        let demo = try TestInventory.demoEnv()
        let config = try load(files: [demo])
        let resolver = LocalSecretResolver(environment: config.environment, baseDirectory: TestInventory.packageRoot.path)
        var sources = config.connectors.flatMap { connector in connector.secretSources.map(\.source) }
        sources += config.gateway.principals.compactMap(\.token)
        #expect(sources.count == 9)
        for source in sources {
            let reference = try #require(source.value.reference, "\(source.source) holds a literal")
            let secret = try resolver.resolve(reference)
            #expect(secret.withUnredactedValue { $0.hasPrefix("demo-") && $0.hasSuffix("-not-a-secret") })
        }
        // Without the demo env the references still load, but do not resolve (fail closed).
        let bare = try load()
        let unresolved = LocalSecretResolver(environment: bare.environment, baseDirectory: TestInventory.packageRoot.path)
        let first = try #require(bare.connector(named: "langboard")?.credentials.first?.source.value.reference)
        #expect(throws: LocalSecretResolver.Failure.self) { try unresolved.resolve(first) }
    }

    @Test("effective connector modes and machine routes")
    func modesAndRoutes() throws {
        let config = try load(files: [TestInventory.demoEnv()])
        let modes = Dictionary(uniqueKeysWithValues: config.connectors.map { ($0.name, $0.connectorMode) })
        #expect(
            modes == [
                "langboard": .project, "nexus": .scim, "daytona": .project, "cliproxy": .runtimeGateway,
                "temporal": .project, "status-page": .project,
            ])
        #expect(config.connector(named: "status-page")?.string("mode") == "poll", "mode is domain only")
        #expect(config.connector(named: "langboard")?.modeReason == .defaultOfKind("langboard"))
        let runtimeGatewayLine = try line(of: "connector_mode: runtime_gateway")
        #expect(
            config.connector(named: "cliproxy")?.modeReason
                == .override(.file(path: "connectors.yaml", line: runtimeGatewayLine)))

        let nexus = try #require(config.connector(named: "nexus"))
        let scimLine = try line(of: "scim_base_url: https://127.0.0.1:9443/scim/v2")
        let scimModeLine = try line(of: "connector_mode: scim")
        #expect(nexus.modeReason == .override(.file(path: "connectors.yaml", line: scimModeLine)))
        guard case let .http(route) = nexus.machineRoute else {
            Issue.record("nexus has no HTTP route: \(nexus.machineRoute)")
            return
        }
        #expect(route.value.description == "https://127.0.0.1:9443/scim/v2")
        #expect(route.source == .derived("scim_base_url (connector_mode=scim)", from: .file(path: "connectors.yaml", line: scimLine)))
        #expect(nexus.settings["url"]?.value.urlValue?.description == "https://127.0.0.1:9443")
        if case .derived = nexus.settings["url"]?.source {
        } else {
            Issue.record("nexus url is not derived: \(String(describing: nexus.settings["url"]?.source))")
        }

        let temporal = try #require(config.connector(named: "temporal"))
        let addressLine = try line(of: "executor_address: 127.0.0.1:7233")
        #expect(
            temporal.machineRoute
                == .tcp(
                    Sourced(
                        HostPort(host: "127.0.0.1", port: 7233), from: .file(path: "connectors.yaml", line: addressLine))))
        #expect(config.connector(named: "cliproxy")?.verifyTLS == false)
        #expect(config.connector(named: "langboard")?.verifyTLS == true)
        #expect(config.connector(named: "daytona")?.verifyTLS == true, "verify_tls defaults to true")
        #expect(config.connector(named: "daytona")?.settings["verify_tls"]?.source.isDefaultValue == true)
        #expect(config.connector(named: "status-page")?.executorURL?.description == "http://127.0.0.1:8099/api")
    }

    @Test("a value from the yaml carries its file and line")
    func yamlProvenance() throws {
        let config = try load(files: [TestInventory.demoEnv()])
        let langboard = try #require(config.connector(named: "langboard"))
        let executor = try #require(langboard.settings["executor_url"])
        let executorLine = try line(of: "executor_url: https://127.0.0.1:1002")
        #expect(executor.source == .file(path: "connectors.yaml", line: executorLine))
        #expect(executor.source.description == "connectors.yaml:\(executorLine)")
        let hostLine = try line(of: "host_header: langboard.internal")
        #expect(langboard.settings["host_header"]?.source == .file(path: "connectors.yaml", line: hostLine))
        let assetLine = try line(of: "runtime_asset: {id: langboard-api")
        #expect(langboard.settings["runtime_asset.id"]?.source == .file(path: "connectors.yaml", line: assetLine))
        let entryLine = try line(of: "- name: langboard")
        #expect(langboard.location == "connectors.yaml:\(entryLine)")
    }

    @Test("env files override the yaml, later files win, the process env wins over all")
    func envPrecedence() throws {
        let generated = try TestInventory.envFile(
            """
            # generated
            FRACTALOPS_LANGBOARD_EXECUTOR_URL=https://10.20.0.15:1002
            FRACTALOPS_LANGBOARD_HOST_HEADER=board.generated
            FRACTALOPS_LANGBOARD_VERIFY_TLS=false
            """, path: ".env.generated")
        let overlay = try TestInventory.envFile(
            """
            FRACTALOPS_LANGBOARD_HOST_HEADER=board.overlay
            """, path: "overlay.env")
        let process = ["FRACTALOPS_LANGBOARD_VERIFY_TLS": "true"]
        let config = try load(files: [TestInventory.demoEnv(), generated, overlay], process: process)
        let langboard = try #require(config.connector(named: "langboard"))

        #expect(langboard.executorURL?.description == "https://10.20.0.15:1002")
        #expect(
            langboard.settings["executor_url"]?.source
                == .envFile(name: "FRACTALOPS_LANGBOARD_EXECUTOR_URL", path: ".env.generated", line: 2))
        #expect(
            langboard.settings["executor_url"]?.source.description
                == "FRACTALOPS_LANGBOARD_EXECUTOR_URL from .env.generated:2")

        #expect(langboard.hostHeader == "board.overlay", "the later env file wins")
        #expect(
            langboard.settings["host_header"]?.source
                == .envFile(name: "FRACTALOPS_LANGBOARD_HOST_HEADER", path: "overlay.env", line: 1))

        #expect(langboard.verifyTLS == true, "the process environment wins over env files")
        #expect(langboard.settings["verify_tls"]?.source == .processEnvironment(name: "FRACTALOPS_LANGBOARD_VERIFY_TLS"))

        // Reversing the files reverses the winner.
        let reversed = try load(files: [overlay, generated])
        #expect(reversed.connector(named: "langboard")?.hostHeader == "board.generated")
    }

    @Test("the lab overlay: openbao references and cluster-internal names arrive through env")
    func labOverlay() throws {
        let overlay = try DotEnvFile(parsing: TestInventory.packageFile("examples/lab.overlay.env"), path: "examples/lab.overlay.env")
        let config = try load(files: [TestInventory.demoEnv(), overlay], process: [EnvironmentLayers.requireRefVariable: "true"])
        #expect(config.requireReferenceForSensitive)
        let langboard = try #require(config.connector(named: "langboard"))
        #expect(
            langboard.credentials.first?.source.value.reference
                == .openBao(mount: "secret", path: "connectors/langboard", field: "api_key", version: nil))
        let overlayURL = try #require(overlay.values["FRACTALOPS_LANGBOARD_EXECUTOR_URL"])
        #expect(langboard.executorURL == (try EndpointURL(parsing: overlayURL.value)))
        #expect(
            langboard.settings["executor_url"]?.source
                == .envFile(
                    name: "FRACTALOPS_LANGBOARD_EXECUTOR_URL", path: "examples/lab.overlay.env", line: overlayURL.line))
        guard case let .tcp(address) = try #require(config.connector(named: "temporal")).machineRoute else {
            Issue.record("temporal has no TCP route")
            return
        }
        #expect(address.value.host == "temporal-frontend.temporal.svc.cluster.local")
        #expect(address.source.isEnvironment)
        let cliproxy = try #require(config.connector(named: "cliproxy"))
        #expect(cliproxy.credentials.map(\.spec.key) == ["api_key", "management_key"])
        #expect(cliproxy.credentials.allSatisfy { $0.source.source.isEnvironment })
    }

    @Test("the gateway section: principals and their connectors")
    func principals() throws {
        let config = try load()
        let worker = try #require(config.gateway.principal(named: "worker"))
        #expect(worker.mayUse(connector: "langboard"))
        #expect(!worker.mayUse(connector: "nexus"))
        #expect(worker.token?.value.reference == .environment(name: "FRACTALOPS_GATEWAY_WORKER_TOKEN"))
        let operatorPrincipal = try #require(config.gateway.principal(named: "operator"))
        #expect(operatorPrincipal.mayUse(connector: "nexus"))
        #expect(operatorPrincipal.permissions == ["manage"])
    }
}
