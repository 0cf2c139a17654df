import Testing

@testable import GatewayCore

@Suite("OpenBao requests: what references, logins and writes turn into")
struct OpenBaoRequestTests {
    let address = EndpointURL(scheme: .https, host: "openbao.internal", port: 8200)

    @Test("a reference maps to GET /v1/<mount>/data/<path>, the version as ?version=N")
    func kvRead() throws {
        let latest = try #require(OpenBaoRequest.kvRead(try SecretReference(parsing: "openbao://secret/connectors/langboard#api_key")))
        #expect(latest.method == .get)
        #expect(latest.path == "secret/data/connectors/langboard")
        #expect(latest.query == nil)
        #expect(latest.url(address: address) == "https://openbao.internal:8200/v1/secret/data/connectors/langboard")
        #expect(latest.authenticated)

        let pinned = try #require(OpenBaoRequest.kvRead(try SecretReference(parsing: "openbao://kv/team/app#token?version=7")))
        #expect(pinned.url(address: address) == "https://openbao.internal:8200/v1/kv/data/team/app?version=7")
        #expect(pinned.what == "reading kv/data/team/app version 7")

        #expect(OpenBaoRequest.kvRead(.environment(name: "X")) == nil)
        #expect(OpenBaoRequest.kvRead(.file(path: "x")) == nil)
    }

    @Test("an address with a path prefix keeps it; odd characters in paths are percent-encoded")
    func urls() {
        let prefixed = EndpointURL(scheme: .http, host: "127.0.0.1", port: 8200, path: "/bao")
        let request = OpenBaoRequest.kvRead(mount: "secret", path: "team a/ü?x", version: nil)
        #expect(request.url(address: prefixed) == "http://127.0.0.1:8200/bao/v1/secret/data/team%20a/%C3%BC%3Fx")
    }

    @Test("the token goes in X-Vault-Token, the namespace in X-Vault-Namespace, only when set")
    func headers() {
        let token = SecretValue("s.token")
        let read = OpenBaoRequest.kvRead(mount: "secret", path: "x", version: nil)
        let withNamespace = Dictionary(read.headers(namespace: "team-a", token: token).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(withNamespace["X-Vault-Token"] == "s.token")
        #expect(withNamespace["X-Vault-Namespace"] == "team-a")
        #expect(withNamespace["Content-Type"] == nil)
        let without = read.headers(namespace: nil, token: token).map(\.name)
        #expect(!without.contains("X-Vault-Namespace"))
        #expect(!read.headers(namespace: "", token: token).map(\.name).contains("X-Vault-Namespace"))
    }

    @Test("logins go without a token, their bodies carry the credentials and print redacted")
    func logins() throws {
        let login = OpenBaoRequest.appRoleLogin(mount: "approle", roleID: SecretValue("role-1"), secretID: SecretValue("secret-1"))
        #expect(login.method == .post)
        #expect(login.path == "auth/approle/login")
        #expect(!login.authenticated)
        #expect(!login.headers(namespace: "ns", token: SecretValue("t")).map(\.name).contains("X-Vault-Token"))
        #expect(login.headers(namespace: "ns", token: nil).contains { $0.name == "X-Vault-Namespace" && $0.value == "ns" })
        let body = try #require(login.body)
        #expect(body.withUnredactedValue { $0 } == #"{"role_id":"role-1","secret_id":"secret-1"}"#)
        #expect("\(login)".contains("role-1") == false)
        #expect("\(login)".contains("secret-1") == false)

        let kubernetes = OpenBaoRequest.kubernetesLogin(mount: "k8s-prod", role: "gateway", jwt: SecretValue("eyJ.jwt"))
        #expect(kubernetes.path == "auth/k8s-prod/login")
        #expect(kubernetes.body?.withUnredactedValue { $0 } == #"{"jwt":"eyJ.jwt","role":"gateway"}"#)
        #expect(OpenBaoRequest.renewSelf.path == "auth/token/renew-self")
        #expect(OpenBaoRequest.lookupSelf.path == "auth/token/lookup-self")
    }

    @Test("a KV v2 write wraps the fields in data, with check-and-set")
    func write() {
        let write = OpenBaoRequest.kvWrite(mount: "secret", path: "gateway/lab", data: ["A": .string("x\"y")], cas: 3)
        #expect(write.method == .post)
        #expect(write.path == "secret/data/gateway/lab")
        #expect(write.body?.withUnredactedValue { $0 } == #"{"data":{"A":"x\"y"},"options":{"cas":3}}"#)
    }
}
