import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

/// What a caller controls and the gateway filters: headers (with `_` read as `-`), trailers,
/// query parameter names after decoding, framing, and what leaves through side doors.
@Suite("boundary rules")
struct BoundaryRuleTests {
    static let target = DataPathRuleTests.target()

    @Test func gatewayOwnedHeadersAreDroppedInAnySpelling() {
        let upstream = RequestRewriter.upstreamHead(
            client: DataPathRuleTests.head([
                ("X_Forwarded_For", "6.6.6.6"), ("X_Real_IP", "6.6.6.6"), ("X-Forwarded-Prefix", "/admin"),
                ("X-Forwarded-Server", "evil"), ("X-Original-URL", "/admin"), ("X-Rewrite-URL", "/admin"),
                ("True-Client-IP", "6.6.6.6"), ("X-Client-IP", "6.6.6.6"), ("X_Api_Key", "caller"), ("x-api-key", "caller"),
                ("Content_Length", "9"), ("Transfer_Encoding", "chunked"), ("Proxy_Authorization", "x"), ("Host_", "kept"),
                ("X-Trace", "kept"),
            ]),
            uriRemainder: "/x", target: Self.target, peerAddress: "10.0.0.1", requestID: "r", framing: RequestFraming.none)
        let seen = upstream.headers.map { "\($0.name.lowercased())=\($0.value)" }
        #expect(
            seen == [
                "host_=kept", "x-trace=kept", "host=up.internal", "x-forwarded-for=10.0.0.1", "x-real-ip=10.0.0.1",
                "x-forwarded-proto=http", "x-request-id=r", "x-api-key=sk-up",
            ])
    }

    @Test func framingIsTheGatewaysDecision() {
        let chunked = RequestRewriter.upstreamHead(
            client: DataPathRuleTests.head([("Content-Length", "3")]), uriRemainder: "/x", target: Self.target,
            peerAddress: "p", requestID: "r", framing: .chunked)
        #expect(chunked.headers["transfer-encoding"] == ["chunked"])
        #expect(chunked.headers["content-length"].isEmpty)
        let none = RequestRewriter.upstreamHead(
            client: DataPathRuleTests.head([("Transfer-Encoding", "chunked")]), uriRemainder: "/x", target: Self.target,
            peerAddress: "p", requestID: "r", framing: RequestFraming.none)
        #expect(none.headers["transfer-encoding"].isEmpty && none.headers["content-length"].isEmpty)
    }

    @Test func thousandsOfHopByHopHeadersAreDroppedInOnePass() {
        var headers = (0..<4000).map { ("Proxy-\($0)", "x") }
        headers.append(("X-Kept", "1"))
        let upstream = RequestRewriter.upstreamHead(
            client: DataPathRuleTests.head(headers), uriRemainder: "/x", target: Self.target, peerAddress: "p", requestID: "r")
        #expect(upstream.headers.count == 7)
        #expect(upstream.headers["x-kept"] == ["1"])
    }

    @Test func trailersPassTheHeaderFilter() {
        let trailers = RequestRewriter.upstreamTrailers(
            HTTPHeaders([
                ("X-Api-Key", "caller"), ("Authorization", "Bearer t"), ("X-Forwarded-For", "6.6.6.6"), ("X_Real_IP", "6.6.6.6"),
                ("Forwarded", "for=x"), ("Host", "evil"), ("Content-Length", "0"), ("Transfer-Encoding", "chunked"),
                ("X-Checksum", "abc"),
            ]), target: Self.target)
        #expect(trailers.map { Array($0.map(\.name)) } == ["X-Checksum"])
        #expect(RequestRewriter.upstreamTrailers(HTTPHeaders([("Authorization", "x")]), target: Self.target) == nil)
    }

    @Test(arguments: [
        ("/v1?%6bey=x&alt=sse", "/v1?alt=sse"),
        ("/v1?auth%5Ftoken=x&b=%2F", "/v1?b=%2F"),
        ("/v1?KEY=x", "/v1"),
        ("/v1?k%65y=x&key2=y", "/v1?key2=y"),
    ])
    func strippedParametersAreComparedDecoded(target: String, expected: String) {
        #expect(String(RequestRewriter.withoutParameters(Substring(target), ["key", "auth_token"])) == expected)
    }

    static func summary(_ headers: [(String, String)]) -> RequestHeadSummary {
        RequestHeadSummary(CallerRequestHead(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: HTTPHeaders(headers))))
    }

    /// The refusal of a head with `headers`, decided from its own summary.
    static func refusal(_ headers: [(String, String)], method: HTTPMethod, version: HTTPVersion, uri: String) -> ProxyError? {
        let head = CallerRequestHead(HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders(headers)))
        return RequestHeadSummary(head).refusal(head)
    }

    @Test func refusalsBeforeAnyRouting() {
        let host = [("Host", "g")]
        #expect(Self.refusal(host, method: .TRACE, version: .http1_1, uri: "/x")?.status == 405)
        #expect(Self.refusal(host, method: .CONNECT, version: .http1_1, uri: "/x")?.status == 405)
        #expect(Self.refusal(host + [("Transfer-Encoding", "gzip, chunked")], method: .POST, version: .http1_1, uri: "/x")?.status == 501)
        #expect(Self.refusal(host + [("Transfer-Encoding", "identity")], method: .POST, version: .http1_1, uri: "/x")?.status == 501)
        #expect(
            Self.refusal(host + [("Content-Length", "1"), ("Content-Length", "1")], method: .POST, version: .http1_1, uri: "/x")?.status
                == 400)
        #expect(Self.refusal([], method: .GET, version: .http1_1, uri: "/x")?.status == 400)
        #expect(Self.refusal([], method: .GET, version: .http1_0, uri: "/x") == nil, "HTTP/1.0 needs no Host")
        #expect(Self.refusal(host + host, method: .GET, version: .http1_0, uri: "/x")?.status == 400)
        #expect(Self.refusal(host, method: .GET, version: .http1_1, uri: "/x#frag")?.status == 400)
        #expect(Self.refusal(host + [("Content-Length", "3")], method: .POST, version: .http1_1, uri: "/x") == nil)
    }

    @Test func theFramingFollowsTheCallersHead() {
        #expect(Self.summary([("Content-Length", "3")]).framing == .length(3))
        #expect(Self.summary([("Content-Length", "0")]).declaresBody == false)
        #expect(Self.summary([("Transfer-Encoding", "chunked")]).framing == .chunked)
        #expect(Self.summary([]).framing == RequestFraming.none)
    }

    @Test func routePrefixesMatchWholeSegmentsInTheirOwnCase() throws {
        let management = RouteTable.Entry(pathPrefix: "/v0/management", stripPrefix: false, requiredPermission: "manage", target: Self.target)
        let api = RouteTable.Entry(pathPrefix: "", stripPrefix: false, requiredPermission: nil, target: Self.target)
        let routes = RouteTable.ConnectorRoutes(executor: [management, api], scim: [])
        func matched(_ path: Substring) -> String {
            switch routes.match(.executor, path: path) {
            case let .entry(entry): entry.requiredPermission ?? "api"
            case let .caseMismatch(prefix): "case \(prefix)"
            case .none: "none"
            }
        }
        #expect(matched("/v0/management") == "manage")
        #expect(matched("/v0/management/keys") == "manage")
        #expect(matched("/v0/managementx") == "api")
        #expect(matched("/V0/management/keys") == "case /v0/management")
        #expect(matched("/v0/Management") == "case /v0/management")
        #expect(matched("/v1/models") == "api")
        if case .none = RouteTable.ConnectorRoutes(executor: [], scim: []).match(.executor, path: "/x") {
        } else {
            Issue.record("a connector without routes matches nothing")
        }
    }

    @Test func accessLogRedactsByDecodedName() {
        #expect(
            LoggedTarget.redact("/e/c?api%5Fkey=s1&jwt=s2&pw=s3&Token=s4&page=2")
                == "/e/c?api%5Fkey=REDACTED&jwt=REDACTED&pw=REDACTED&Token=REDACTED&page=2")
        #expect(LoggedTarget.redact("/e/c/x;token=s1;v=1?a=b") == "/e/c/x;token=REDACTED;v=1?a=b")
        #expect(
            LoggedTarget.redact("/e/c?x=1&DAYTONA_SANDBOX_AUTH_KEY=s&client_secret=s")
                == "/e/c?x=1&DAYTONA_SANDBOX_AUTH_KEY=REDACTED&client_secret=REDACTED")
        #expect(LoggedTarget.redact("/e/c?a=%3Btoken%3Dx") == "/e/c?a=%3Btoken%3Dx")
    }

    @Test func secretValuesAreScrubbedFromReports() {
        let scrubber = SecretScrubber(values: ["sk-live-123", "sk-live-1234567", "abc"])
        #expect(scrubber.scrub("X-Api-Key: sk-live-1234567 and sk-live-123") == "X-Api-Key: <redacted> and <redacted>")
        #expect(scrubber.scrub("abc stays: too short to be a secret") == "abc stays: too short to be a secret")
        #expect(SecretScrubber.none.scrub("sk-live-123") == "sk-live-123")
    }

    @Test func aCredentialWithALineBreakIsRefusedWhenRoutesAreBuilt() throws {
        let configuration = try echoConfiguration(
            """
            connector_inventory:
              - name: echo
                executor_url: http://127.0.0.1:9000
                auth: {token: "env://T"}
            """)
        var secrets = SecretStore()
        secrets.setForTesting("echo/auth.token", SecretValue("good\r\nX-Injected: 1"))
        do {
            _ = try RouteTable(configuration: configuration, secrets: secrets, eventLoopCount: 1)
            Issue.record("a credential with CR LF was accepted")
        } catch {
            #expect(error.errors.map(\.code) == [.invalidHeaderValue])
            #expect(!"\(error)".contains("X-Injected"), "the message never shows the value")
        }
    }
}
