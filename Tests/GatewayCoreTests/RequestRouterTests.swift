import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

/// Routing as a value: every decision `RequestRouter` makes for a request head, without sockets.
@Suite("request router")
struct RequestRouterTests {
    static let api = DataPathRuleTests.target(base: "/api")
    static let management = UpstreamTarget(
        connector: "cli", poolKey: "cli|mgmt", host: "127.0.0.1", port: 9, basePath: "", hostHeader: "cli.internal",
        tlsContext: nil, serverHostname: nil, credential: ("Authorization", SecretValue("Bearer mgmt-key")),
        removedRequestHeaders: ["authorization", "x-api-key"], forwardedFor: .client, connectTimeout: .seconds(1),
        firstByteTimeout: .seconds(1), idleTimeout: .seconds(1), maxBodyBytes: 100, maxConnectionsPerLoop: 4)

    static let router: RequestRouter = {
        var store = SecretStore()
        store.setForTesting("principal/worker", SecretValue("worker-token"))
        store.setForTesting("principal/operator", SecretValue("operator-token"))
        let token = Sourced(SecretSource.reference(.environment(name: "T")), from: .defaultValue(nil))
        let principals = PrincipalDirectory(
            principals: [
                Principal(name: "worker", location: "x:1", token: token, connectors: ["up", "cli", "ui", "hidden"], permissions: []),
                Principal(name: "operator", location: "x:2", token: token, connectors: ["*"], permissions: ["manage"]),
            ], secrets: store)
        let routes = RouteTable(
            routes: [
                "up": .upstream(.init(executor: [.init(pathPrefix: "", stripPrefix: false, requiredPermission: nil, target: api)], scim: [])),
                "cli": .upstream(
                    .init(
                        executor: [
                            .init(pathPrefix: "/v0/management", stripPrefix: false, requiredPermission: "manage", target: management),
                            .init(pathPrefix: "", stripPrefix: false, requiredPermission: nil, target: api),
                        ], scim: [])),
                "ui": .none("its connector_mode is ui_only"),
                "hidden": .upstream(.init(executor: [], scim: [])),
            ], connectorNames: ["cli", "hidden", "ui", "up"])
        return RequestRouter(routes: routes, principals: principals, publicURL: nil, limits: .defaults)
    }()

    static func route(
        _ method: HTTPMethod = .GET, _ uri: String, token: String? = "worker-token", headers: [(String, String)] = [],
        version: HTTPVersion = .http1_1
    ) -> RouteDecision {
        var all = [("Host", "gateway.test")] + headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        let head = CallerRequestHead(HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders(all)))
        return router.route(head, summary: RequestHeadSummary(head), requestID: "rid", peerAddress: "10.0.0.9")
    }

    /// `status` of a refusal, or the upstream URI of a forward, or `control <path>`.
    static func outcome(_ decision: RouteDecision) -> String {
        switch decision {
        case let .control(path): "control \(path)"
        case let .reject(refusal): "\(refusal.error.status)\(refusal.close ? " close" : "")"
        case let .forward(plan): "forward \(plan.upstreamHead.uri) as \(plan.principal)"
        }
    }

    @Test(arguments: [
        ("/livez", "control /livez"),
        ("/health/connectors?x=1", "control /health/connectors"),
        ("/executor/up/v1/x?q=%2F", "forward /api/v1/x?q=%2F as worker"),
        ("/executor/up", "forward /api as worker"),
        ("/executor/up/a//b/./c/../d?x", "forward /api/a/b/d?x as worker"),
        ("/executor/up/%7euser/%61", "forward /api/~user/a as worker"),
        ("/executor/up/../admin", "400"),
        ("/executor/up/%2e%2e/admin", "400"),
        ("/executor/up/a%2fb", "400"),
        ("/executor/nope/x", "404"),
        ("/executor/ui/x", "404"),
        ("/executor/hidden/x", "404"),
        ("/scim/up/Users", "404"),
        ("/executor/cli/v1/models", "forward /api/v1/models as worker"),
        ("/executor/cli/v0/management/keys", "403"),
        ("/executor/cli//v0/management/keys", "403"),
        ("/executor/cli/x/../v0/%6danagement/keys", "403"),
        ("/executor/cli/V0/management/keys", "400"),
        ("/executor/up/x#frag", "400 close"),
    ])
    func decisionsForAWorker(uri: String, expected: String) {
        #expect(Self.outcome(Self.route(.GET, uri)) == expected)
    }

    @Test func theOperatorReachesManagementWithTheManagementKeyOnly() throws {
        guard case let .forward(plan) = Self.route(.GET, "/executor/cli/v0//management/keys?key=x", token: "operator-token")
        else {
            Issue.record("not forwarded")
            return
        }
        #expect(plan.upstreamHead.uri == "/v0/management/keys?key=x")
        #expect(plan.target === Self.management)
        #expect(plan.upstreamHead.headers["authorization"] == ["Bearer mgmt-key"])
    }

    @Test func authenticationComesBeforeEverythingButTheProtocol() {
        #expect(Self.outcome(Self.route(.GET, "/executor/up/x", token: nil)) == "401")
        #expect(Self.outcome(Self.route(.GET, "/executor/nope/x", token: "wrong")) == "401")
        #expect(Self.outcome(Self.route(.TRACE, "/executor/up/x", token: nil)) == "405 close")
        #expect(Self.outcome(Self.route(.CONNECT, "/livez", token: nil)) == "405 close")
        #expect(Self.outcome(Self.route(.POST, "/executor/up/x", token: nil, headers: [("Transfer-Encoding", "gzip, chunked")])) == "501 close")
    }

    @Test func bodiesAreCheckedAgainstTheRoutesLimits() {
        #expect(Self.outcome(Self.route(.POST, "/executor/up/x", headers: [("Content-Length", "101")])) == "413 close")
        #expect(Self.outcome(Self.route(.GET, "/executor/up/x", headers: [("Upgrade", "websocket")])) == "501 close")
        guard case let .forward(plan) = Self.route(.POST, "/executor/up/x", headers: [("Content-Length", "100")]) else {
            Issue.record("not forwarded")
            return
        }
        #expect(plan.upstreamHead.headers["content-length"] == ["100"])
    }

    @Test func refusalsRenderInTheRoutesFormat() {
        guard case let .reject(refusal) = Self.route(.GET, "/scim/nope/Users") else {
            Issue.record("not refused")
            return
        }
        #expect(refusal.format == .scim)
        #expect(refusal.connector == "nope")
        #expect(refusal.principal == "worker")
    }
}
