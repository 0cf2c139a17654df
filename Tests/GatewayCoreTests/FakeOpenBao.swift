import Synchronization

@testable import GatewayCore

/// An in-memory stand-in for OpenBao's HTTP API, as a transport: KV v2 reads (with versions),
/// token lookup and renewal, AppRole login. Records every request it is sent.
final class FakeOpenBao: OpenBaoTransport, Sendable {
    struct Sent: Sendable {
        var method: String
        var path: String
        var query: String?
        var headers: [String: String]
        var body: String?
    }

    struct State: Sendable {
        /// path (`secret/data/x`) -> versions, oldest first; nil marks a deleted version.
        var secrets: [String: [String?]] = [:]
        var tokens: [String: (ttl: Double, renewable: Bool)] = [:]
        var appRoles: [String: String] = [:]  // role id -> secret id
        /// The lease of AppRole login tokens, and of renewed ones.
        var loginLease: Double = 60
        var renewLease: Double = 60
        /// Tokens whose policy allows reading but not writing.
        var readOnly: Set<String> = []
        var sent: [Sent] = []
        var unreachable = false
    }

    let state = Mutex(State())

    init(tokens: [String: (ttl: Double, renewable: Bool)] = ["root": (0, false)]) {
        state.withLock { $0.tokens = tokens }
    }

    /// Stores a new version of `mount/data/path` whose `data.data` is `json` (an object).
    func put(_ path: String, _ json: String, mount: String = "secret") {
        state.withLock { $0.secrets["\(mount)/data/\(path)", default: []].append(json) }
    }

    func deleteLatest(_ path: String, mount: String = "secret") {
        state.withLock { state in
            let key = "\(mount)/data/\(path)"
            if var versions = state.secrets[key], !versions.isEmpty {
                versions[versions.count - 1] = nil
                state.secrets[key] = versions
            }
        }
    }

    var sent: [Sent] { state.withLock { $0.sent } }
    func sent(path: String) -> [Sent] { sent.filter { $0.path == path } }

    func send(_ request: OpenBaoRequest, headers: [(name: String, value: String)]) async throws(OpenBaoError) -> OpenBaoResponse {
        let headerMap = Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        let body = request.body?.withUnredactedValue { $0 }
        return try state.withLock { state throws(OpenBaoError) in
            state.sent.append(Sent(method: request.method.rawValue, path: request.path, query: request.query, headers: headerMap, body: body))
            if state.unreachable { throw OpenBaoError(.unreachable, "OpenBao at fake could not be reached for \(request.what): refused") }
            return Self.answer(request, headers: headerMap, body: body, state: &state)
        }
    }

    private static func answer(_ request: OpenBaoRequest, headers: [String: String], body: String?, state: inout State) -> OpenBaoResponse {
        let denied = OpenBaoResponse(status: 403, json: #"{"errors":["permission denied"]}"#)
        switch request.path {
        case "auth/approle/login":
            let document = body.flatMap { JSONValue.parse(Array($0.utf8)) }
            guard let role = document?["role_id"]?.stringValue, let secret = document?["secret_id"]?.stringValue,
                state.appRoles[role] == secret
            else {
                return OpenBaoResponse(status: 400, json: #"{"errors":["invalid role or secret ID"]}"#)
            }
            let token = "approle-token-\(state.tokens.count)"
            state.tokens[token] = (state.loginLease, true)
            return OpenBaoResponse(
                status: 200, json: #"{"auth":{"client_token":"\#(token)","lease_duration":\#(state.loginLease),"renewable":true}}"#)
        case "auth/kubernetes/login":
            let document = body.flatMap { JSONValue.parse(Array($0.utf8)) }
            guard document?["role"]?.stringValue == "gateway", document?["jwt"]?.stringValue == "service-account-jwt" else {
                return OpenBaoResponse(status: 403, json: #"{"errors":["permission denied"]}"#)
            }
            state.tokens["k8s-token"] = (state.loginLease, true)
            return OpenBaoResponse(
                status: 200, json: #"{"auth":{"client_token":"k8s-token","lease_duration":\#(state.loginLease),"renewable":true}}"#)
        default:
            break
        }
        guard let token = headers["X-Vault-Token"], let info = state.tokens[token] else { return denied }
        switch request.path {
        case "auth/token/lookup-self":
            return OpenBaoResponse(status: 200, json: #"{"data":{"id":"\#(token)","ttl":\#(info.ttl),"renewable":\#(info.renewable)}}"#)
        case "auth/token/renew-self":
            guard info.renewable else { return OpenBaoResponse(status: 400, json: #"{"errors":["lease is not renewable"]}"#) }
            state.tokens[token] = (state.renewLease, true)
            return OpenBaoResponse(
                status: 200, json: #"{"auth":{"client_token":"\#(token)","lease_duration":\#(state.renewLease),"renewable":true}}"#)
        default:
            if request.method == .post {
                if state.readOnly.contains(token) { return denied }
                guard let document = body.flatMap({ JSONValue.parse(Array($0.utf8)) }), let data = document["data"] else {
                    return OpenBaoResponse(status: 400, json: #"{"errors":["no data provided"]}"#)
                }
                let current = state.secrets[request.path]?.count ?? 0
                if let cas = document["options"]?["cas"]?.numberValue, Int(cas) != current {
                    return OpenBaoResponse(status: 400, json: #"{"errors":["check-and-set parameter did not match the current version"]}"#)
                }
                state.secrets[request.path, default: []].append(data.jsonText)
                return OpenBaoResponse(status: 200, json: #"{"data":{"version":\#(current + 1)}}"#)
            }
            guard let versions = state.secrets[request.path] else {
                return OpenBaoResponse(status: 404, json: #"{"errors":[]}"#)
            }
            let wanted = request.query.flatMap { Int($0.dropFirst("version=".count)) } ?? versions.count
            guard wanted >= 1, wanted <= versions.count else { return OpenBaoResponse(status: 404, json: #"{"errors":[]}"#) }
            guard let data = versions[wanted - 1] else {
                return OpenBaoResponse(
                    status: 404,
                    json: #"{"data":{"data":null,"metadata":{"version":\#(wanted),"deletion_time":"2026-01-01T00:00:00Z","destroyed":false}}}"#)
            }
            return OpenBaoResponse(
                status: 200, json: #"{"data":{"data":\#(data),"metadata":{"version":\#(wanted),"deletion_time":"","destroyed":false}}}"#)
        }
    }
}
