import Testing

@testable import GatewayCore

@Suite("gateway.openbao settings")
struct OpenBaoConfigurationTests {
    @Test("the section with a nested auth mapping; relative paths from the inventory's folder")
    func section() throws {
        let configuration = try echoConfiguration(
            """
            gateway:
              openbao:
                address: https://openbao.internal:8200
                namespace: team-a
                ca_file: ca/openbao.pem
                verify_tls: false
                timeout: 3s
                refresh_interval: 1s
                auth: {method: approle, mount: ar, role_id_file: bao/role_id}
            connector_inventory:
              - {name: echo, executor_url: "http://127.0.0.1:9000"}
            """)
        let openBao = OpenBaoConfiguration(configuration)
        #expect(openBao.address?.description == "https://openbao.internal:8200")
        #expect(openBao.namespace == "team-a")
        #expect(openBao.caFile == configuration.baseDirectory + "/ca/openbao.pem")
        #expect(openBao.verifyTLS == false)
        #expect(openBao.timeout == 3)
        #expect(openBao.refreshInterval == 1)
        #expect(
            openBao.auth
                == .appRole(
                    mount: "ar", roleID: .file(configuration.baseDirectory + "/bao/role_id"),
                    secretID: .variables(["FRACTALOPS_OPENBAO_SECRET_ID"])))
    }

    @Test("defaults: token auth from FRACTALOPS_OPENBAO_TOKEN, BAO_TOKEN, VAULT_TOKEN; refresh every 5 minutes")
    func defaults() throws {
        let openBao = OpenBaoConfiguration(try echoConfiguration("connector_inventory: [{name: echo}]"))
        #expect(openBao.address == nil)
        #expect(openBao.addressProblem?.contains("FRACTALOPS_OPENBAO_ADDR") == true)
        #expect(openBao.auth == .token(.variables(["FRACTALOPS_OPENBAO_TOKEN", "BAO_TOKEN", "VAULT_TOKEN"])))
        #expect(openBao.refreshInterval == 300)
        #expect(openBao.verifyTLS)
    }

    @Test("FRACTALOPS_OPENBAO_* override the section; BAO_*/VAULT_* only fill what is unset")
    func environment() throws {
        let yaml = """
            gateway:
              openbao: {address: "http://127.0.0.1:8200"}
            connector_inventory: [{name: echo}]
            """
        let overridden = OpenBaoConfiguration(
            try echoConfiguration(
                yaml,
                env: [
                    "FRACTALOPS_OPENBAO_ADDR": "https://bao.lab:8200", "BAO_ADDR": "http://ignored:1",
                    "FRACTALOPS_OPENBAO_AUTH_METHOD": "kubernetes", "FRACTALOPS_OPENBAO_ROLE": "gateway",
                    "BAO_NAMESPACE": "ns-from-bao", "FRACTALOPS_OPENBAO_TOKEN_FILE": "/run/token",
                ]))
        #expect(overridden.address?.description == "https://bao.lab:8200")
        #expect(overridden.namespace == "ns-from-bao")
        #expect(overridden.auth == .kubernetes(mount: "kubernetes", role: "gateway", jwtFile: OpenBaoConfiguration.serviceAccountTokenFile))

        let bare = "connector_inventory: [{name: echo}]"
        #expect(OpenBaoConfiguration(try echoConfiguration(bare, env: ["BAO_ADDR": "http://127.0.0.1:8300"])).address?.port == 8300)
        #expect(OpenBaoConfiguration(try echoConfiguration(bare, env: ["VAULT_ADDR": "http://127.0.0.1:8400"])).address?.port == 8400)
        #expect(OpenBaoConfiguration(try echoConfiguration(yaml, env: ["BAO_ADDR": "http://127.0.0.1:8300"])).address?.port == 8200)
        let broken = OpenBaoConfiguration(try echoConfiguration(bare, env: ["BAO_ADDR": "not a url"]))
        #expect(broken.address == nil)
        #expect(broken.addressProblem?.contains("BAO_ADDR from the process environment") == true)
        let tokenFile = OpenBaoConfiguration(try echoConfiguration(bare, env: ["FRACTALOPS_OPENBAO_TOKEN_FILE": "/run/token"]))
        #expect(tokenFile.auth == .token(.file("/run/token")))
    }

    @Test("openbao.namespace is a setting, not a raw selector; a connector's namespace still is")
    func namespaceIsNotARawSelector() throws {
        _ = try echoConfiguration(
            """
            gateway:
              openbao: {namespace: team-a}
            connector_inventory: [{name: echo}]
            """)
        let error = #expect(throws: ConfigError.self) {
            try echoConfiguration("connector_inventory: [{name: echo, namespace: team-a}]")
        }
        #expect(error?.issues.first?.code == .rawInfraSelector)
    }

    @Test("unknown and invalid keys in the section are reported with the place and a did-you-mean")
    func invalid() throws {
        let error = #expect(throws: ConfigError.self) {
            try echoConfiguration(
                """
                gateway:
                  openbao:
                    adress: http://127.0.0.1:8200
                    auth: {metod: token}
                    refresh_interval: soon
                connector_inventory: [{name: echo}]
                """)
        }
        let issues = try #require(error).issues
        #expect(issues.contains { $0.code == .unknownKey && $0.key == "openbao.adress" && $0.problem.contains("address") })
        #expect(issues.contains { $0.code == .unknownKey && $0.key == "openbao.auth.metod" && $0.problem.contains("method") })
        #expect(issues.contains { $0.code == .invalidDuration && $0.key == "openbao.refresh_interval" })
        let method = #expect(throws: ConfigError.self) {
            try echoConfiguration("connector_inventory: [{name: echo}]", env: ["FRACTALOPS_OPENBAO_AUTH_METHOD": "ldap"])
        }
        #expect(method?.issues.first?.problem.contains("token, approle, kubernetes") == true)
    }
}
