import Foundation
import Synchronization
import Testing

@testable import GatewayCore

/// Loads an inventory of the test-only `echo` kind (see ConnectorRegistryTests) with `env` as
/// the process environment.
func echoConfiguration(_ yaml: String, env: [String: String] = [:]) throws -> GatewayConfiguration {
    let registry = try ConnectorRegistry([EchoKind()])
    return try InventoryLoader(registry: registry, environment: EnvironmentLayers(process: env)).load(text: yaml, path: "echo.yaml")
}

/// A resolver whose OpenBao is `fake`.
func fakeResolver(_ fake: FakeOpenBao, _ configuration: GatewayConfiguration) -> SecretResolver {
    let client = OpenBaoClient(configuration: OpenBaoConfiguration(configuration), transport: fake, environment: configuration.environment)
    return SecretResolver(
        local: LocalSecretResolver(environment: configuration.environment, baseDirectory: configuration.baseDirectory),
        openBao: OpenBaoSecretResolver(client: client))
}

@Suite("OpenBao secret resolution")
struct OpenBaoSecretResolverTests {
    static let known = "KNOWN-openbao-value-9c1d"

    static let inventory = """
        gateway:
          openbao: {address: "http://127.0.0.1:8200", namespace: team-a}
          principals:
            - {name: worker, token: "openbao://secret/app#worker", connectors: ["*"]}
        connector_inventory:
          - name: echo
            executor_url: http://127.0.0.1:9000
            auth: {token: "openbao://secret/app#token"}
          - name: pinned
            kind: echo
            executor_url: http://127.0.0.1:9001
            auth: {token: "openbao://secret/app#token?version=1"}
        """

    @Test("one read per (mount, path, version) however many fields; namespace and version on the wire")
    func cacheAndWire() async throws {
        let fake = FakeOpenBao()
        fake.put("app", #"{"token":"v1","worker":"w1"}"#)
        fake.put("app", #"{"token":"v2","worker":"w2"}"#)
        let configuration = try echoConfiguration(Self.inventory, env: ["FRACTALOPS_OPENBAO_TOKEN": "root"])
        let store = try await SecretStore.resolve(configuration, using: fakeResolver(fake, configuration).session())
        #expect(store.credential(connector: "echo", key: "auth.token")?.withUnredactedValue { $0 } == "v2")
        #expect(store.credential(connector: "pinned", key: "auth.token")?.withUnredactedValue { $0 } == "v1")
        #expect(store.principalToken("worker")?.withUnredactedValue { $0 } == "w2")
        let reads = fake.sent(path: "secret/data/app")
        #expect(reads.map(\.query) == [nil, "version=1"], "latest once (two fields), version 1 once")
        #expect(fake.sent(path: "auth/token/lookup-self").count == 1)
        for request in fake.sent {
            #expect(request.headers["X-Vault-Namespace"] == "team-a")
            #expect(request.headers["X-Vault-Token"] == "root")
        }
    }

    @Test("a failure names the reference, the connector and the key, never a value")
    func failureNamesTheReference() async throws {
        let fake = FakeOpenBao()
        fake.put("app", #"{"token":"\#(Self.known)","worker":"\#(Self.known)"}"#)
        let configuration = try echoConfiguration(
            Self.inventory.replacingOccurrences(of: "openbao://secret/app#token\"", with: "openbao://secret/app#nope\""),
            env: ["FRACTALOPS_OPENBAO_TOKEN": "root"])
        let error = await #expect(throws: ConfigError.self) {
            try await SecretStore.resolve(configuration, using: fakeResolver(fake, configuration).session())
        }
        let text = try #require(error).description
        #expect(error?.issues.count == 1)
        #expect(error?.issues.first?.code == .unresolvedReference)
        #expect(error?.issues.first?.connector == "echo")
        #expect(error?.issues.first?.key == "auth.token")
        #expect(text.contains("openbao://secret/app#nope"))
        #expect(text.contains("no field 'nope'"))
        #expect(!text.contains(Self.known))
    }

    @Test("a wrong token fails every reference after one lookup, saying the token was refused")
    func wrongToken() async throws {
        let fake = FakeOpenBao()
        fake.put("app", #"{"token":"\#(Self.known)","worker":"w"}"#)
        let configuration = try echoConfiguration(Self.inventory, env: ["FRACTALOPS_OPENBAO_TOKEN": "KNOWN-wrong-token"])
        let error = await #expect(throws: ConfigError.self) {
            try await SecretStore.resolve(configuration, using: fakeResolver(fake, configuration).session())
        }
        #expect(error?.issues.count == 3)
        #expect(error?.issues.allSatisfy { $0.problem.contains("refused the token from FRACTALOPS_OPENBAO_TOKEN") } == true)
        #expect(fake.sent(path: "auth/token/lookup-self").count == 1)
        #expect(fake.sent(path: "secret/data/app").isEmpty)
        #expect(error?.description.contains("KNOWN-wrong-token") == false, "not even the wrong token is printed")
    }

    @Test("no address: openbao:// fails with the reason, env:// still resolves")
    func unconfigured() async throws {
        let configuration = try echoConfiguration(
            """
            connector_inventory:
              - name: echo
                executor_url: http://127.0.0.1:9000
                auth: {token: "openbao://secret/app#token"}
              - name: local
                kind: echo
                executor_url: http://127.0.0.1:9001
                auth: {token: "env://LOCAL_TOKEN"}
            """, env: ["LOCAL_TOKEN": "local"])
        #expect(OpenBaoConfiguration(configuration).address == nil)
        let resolver = SecretResolver(
            local: LocalSecretResolver(environment: configuration.environment, baseDirectory: "/"), openBao: nil)
        let error = await #expect(throws: ConfigError.self) {
            try await SecretStore.resolve(configuration, using: resolver.session())
        }
        #expect(error?.issues.count == 1)
        #expect(error?.issues.first?.problem.contains("no OpenBao address is configured") == true)
    }

    @Test("AppRole: login with role id and secret id, token renewed before expiry, a revoked token replaced")
    func appRole() async throws {
        let fake = FakeOpenBao()
        fake.put("app", #"{"token":"t","worker":"w"}"#)
        fake.state.withLock { $0.appRoles["role-1"] = "secret-1" }
        let configuration = try echoConfiguration(
            Self.inventory.replacingOccurrences(of: "namespace: team-a}", with: "auth: {method: approle}}"),
            env: ["FRACTALOPS_OPENBAO_ROLE_ID": "role-1", "FRACTALOPS_OPENBAO_SECRET_ID": "secret-1"])
        let resolver = fakeResolver(fake, configuration)
        _ = try await SecretStore.resolve(configuration, using: resolver.session())
        #expect(fake.sent(path: "auth/approle/login").count == 1)
        #expect(fake.sent(path: "secret/data/app").first?.headers["X-Vault-Token"] == "approle-token-1")

        let auth = try #require(resolver.openBao).client.auth
        #expect(try await auth.maintain() == false, "a fresh 60s lease is not due")
        await auth.makeDueForTesting()
        #expect(try await auth.maintain(), "two thirds of the lease are used up: renewal is due")
        #expect(fake.sent(path: "auth/token/renew-self").count == 1)
        let next = try #require(await auth.timeUntilRefresh())
        #expect(next > .seconds(30), "renewed for 60s: next renewal at 40s")
        #expect(try await auth.maintain() == false)

        // The token is revoked behind the gateway's back: the next read logs in again once.
        fake.state.withLock { $0.tokens["approle-token-1"] = nil }
        _ = try await SecretStore.resolve(configuration, using: resolver.session())
        #expect(fake.sent(path: "auth/approle/login").count == 2)
    }

    @Test("Kubernetes: login with the role and the service account token file")
    func kubernetes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openbao-k8s-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let jwtFile = directory.appendingPathComponent("token").path
        try "service-account-jwt\n".write(toFile: jwtFile, atomically: true, encoding: .utf8)
        let fake = FakeOpenBao()
        fake.put("app", #"{"token":"t","worker":"w"}"#)
        let yaml = Self.inventory.replacingOccurrences(of: "namespace: team-a}", with: "auth: {method: kubernetes}}")

        let configuration = try echoConfiguration(yaml, env: ["FRACTALOPS_OPENBAO_ROLE": "gateway", "FRACTALOPS_OPENBAO_JWT_FILE": jwtFile])
        _ = try await SecretStore.resolve(configuration, using: fakeResolver(fake, configuration).session())
        #expect(fake.sent(path: "auth/kubernetes/login").count == 1)
        #expect(fake.sent(path: "secret/data/app").first?.headers["X-Vault-Token"] == "k8s-token")

        let noRole = try echoConfiguration(yaml, env: ["FRACTALOPS_OPENBAO_JWT_FILE": jwtFile])
        let missingRole = await #expect(throws: ConfigError.self) {
            try await SecretStore.resolve(noRole, using: fakeResolver(fake, noRole).session())
        }
        #expect(missingRole?.issues.first?.problem.contains("set gateway.openbao.auth.role or FRACTALOPS_OPENBAO_ROLE") == true)

        let noFile = try echoConfiguration(yaml, env: ["FRACTALOPS_OPENBAO_ROLE": "gateway", "FRACTALOPS_OPENBAO_JWT_FILE": jwtFile + ".missing"])
        let missingFile = await #expect(throws: ConfigError.self) {
            try await SecretStore.resolve(noFile, using: fakeResolver(fake, noFile).session())
        }
        #expect(missingFile?.issues.first?.problem.contains("service account token file \(jwtFile).missing cannot be read") == true)
    }

    @Test("a refused AppRole login names the login and never the credentials")
    func appRoleRefused() async throws {
        let fake = FakeOpenBao()
        let configuration = try echoConfiguration(
            Self.inventory.replacingOccurrences(of: "namespace: team-a}", with: "auth: {method: approle}}"),
            env: ["FRACTALOPS_OPENBAO_ROLE_ID": "role-KNOWN", "FRACTALOPS_OPENBAO_SECRET_ID": "secret-KNOWN"])
        let error = await #expect(throws: ConfigError.self) {
            try await SecretStore.resolve(configuration, using: fakeResolver(fake, configuration).session())
        }
        #expect(error?.description.contains("the AppRole login at auth/approle") == true)
        #expect(error?.description.contains("invalid role or secret ID") == true)
        #expect(error?.description.contains("KNOWN") == false)
        #expect(fake.sent(path: "auth/approle/login").count == 1, "one failed login per resolution, not one per reference")
    }
}
