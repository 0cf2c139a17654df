import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

/// The header, path and error rules of the data path, checked without sockets.
@Suite("data path rules")
struct DataPathRuleTests {
    static func target(
        base: String = "/base", hostHeader: String = "up.internal", credential: (String, String)? = ("X-Api-Key", "sk-up"),
        forwardedFor: UpstreamTarget.ForwardedFor = .client
    ) -> UpstreamTarget {
        UpstreamTarget(
            connector: "up", host: "127.0.0.1", port: 9, basePath: base, hostHeader: hostHeader, tlsContext: nil,
            serverHostname: nil, credential: credential.map { ($0.0, SecretValue($0.1)) },
            removedRequestHeaders: ["authorization", "proxy-authorization", "x-api-key"], forwardedFor: forwardedFor,
            connectTimeout: .seconds(1), firstByteTimeout: .seconds(1), idleTimeout: .seconds(1), maxBodyBytes: 100,
            maxConnectionsPerLoop: 4)
    }

    static func head(_ headers: [(String, String)], uri: String = "/executor/up/x") -> CallerRequestHead {
        CallerRequestHead(HTTPRequestHead(version: .http1_1, method: .POST, uri: uri, headers: HTTPHeaders(headers)))
    }

    @Test func forwardingHeadersAreOverwrittenNeverAppended() {
        let upstream = RequestRewriter.upstreamHead(
            client: Self.head([
                ("Host", "gateway.example:8080"), ("X-Forwarded-For", "6.6.6.6"), ("X-Real-IP", "6.6.6.6"),
                ("Forwarded", "for=6.6.6.6"), ("X-Forwarded-Proto", "https"),
            ]),
            uriRemainder: "/x", target: Self.target(), peerAddress: "10.1.2.3", requestID: "rid-1")
        #expect(upstream.headers["x-forwarded-for"] == ["10.1.2.3"])
        #expect(upstream.headers["x-real-ip"] == ["10.1.2.3"])
        #expect(upstream.headers["x-forwarded-proto"] == ["http"])
        #expect(upstream.headers["x-forwarded-host"] == ["gateway.example:8080"])
        #expect(upstream.headers["forwarded"].isEmpty)
        #expect(upstream.headers["host"] == ["up.internal"])
        #expect(upstream.headers["x-request-id"] == ["rid-1"])
    }

    @Test func egressAddressReplacesThePeerWhenConfigured() {
        let upstream = RequestRewriter.upstreamHead(
            client: Self.head([]), uriRemainder: "/x", target: Self.target(forwardedFor: .fixed("192.0.2.7")),
            peerAddress: "127.0.0.1", requestID: "r")
        #expect(upstream.headers["x-forwarded-for"] == ["192.0.2.7"])
        #expect(upstream.headers["x-real-ip"] == ["192.0.2.7"])
    }

    @Test func hopByHopAndCallerCredentialsNeverCrossTheProxy() {
        let upstream = RequestRewriter.upstreamHead(
            client: Self.head([
                ("Connection", "keep-alive, X-Hop"), ("X-Hop", "1"), ("Keep-Alive", "timeout=5"), ("TE", "trailers"),
                ("Trailer", "X-T"), ("Upgrade", "h2c"), ("Proxy-Authorization", "Basic x"), ("Proxy-Foo", "1"),
                ("Authorization", "Bearer gateway-token"), ("X-Api-Key", "caller-key"), ("traceparent", "00-abc-def-01"),
                ("Transfer-Encoding", "chunked"), ("Expect", "100-continue"),
            ]),
            uriRemainder: "/x", target: Self.target(), peerAddress: "127.0.0.1", requestID: "r")
        let names = Set(upstream.headers.map { $0.name.lowercased() })
        for name in [
            "connection", "x-hop", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization", "proxy-foo",
            "authorization", "expect",
        ] {
            #expect(!names.contains(name), "\(name) was forwarded")
        }
        #expect(upstream.headers["x-api-key"] == ["sk-up"], "the connector's credential replaces the caller's")
        #expect(upstream.headers["traceparent"] == ["00-abc-def-01"])
        #expect(upstream.headers["transfer-encoding"] == ["chunked"], "chunked framing is kept for the body")
    }

    @Test func contentLengthFramingIsKept() {
        let upstream = RequestRewriter.upstreamHead(
            client: Self.head([("Content-Length", "12")]), uriRemainder: "/x", target: Self.target(),
            peerAddress: "127.0.0.1", requestID: "r")
        #expect(upstream.headers["content-length"] == ["12"])
        #expect(upstream.headers["transfer-encoding"].isEmpty)
    }

    @Test(arguments: [
        ("/base", "/a%20b/c:d?x=1+2&q=%22y%22", "/base/a%20b/c:d?x=1+2&q=%22y%22"),
        ("/base", "", "/base"),
        ("", "", "/"),
        ("", "?x=1", "/?x=1"),
        ("/api", "?x=%2F", "/api?x=%2F"),
        ("", "/v1beta/models/m:streamGenerateContent?alt=sse", "/v1beta/models/m:streamGenerateContent?alt=sse"),
    ])
    func pathsAndQueriesPassByteForByte(base: String, remainder: String, expected: String) {
        let (path, rest) = RequestRewriter.upstreamURI(base: base, remainder: Substring(remainder))
        #expect(path + rest == expected)
        let head = UpstreamRequestHead(method: .GET, path: path, remainder: rest, framing: .none)
        #expect(head.uri == expected, "the request line holds the two as one target")
    }

    @Test func responseHeadersLoseHopByHopAndGainTheRequestID() {
        let headers = HopByHop.clientResponseHeaders(
            UpstreamResponseHead.scanning(
                "HTTP/1.1 101 Switching Protocols\r\nConnection: close, X-Private\r\nX-Private: 1\r\nKeep-Alive: 5\r\n"
                    + "Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\nX-Request-ID: upstream-id\r\n\r\n"),
            requestID: "rid")
        #expect(headers["x-private"].isEmpty)
        #expect(headers["connection"].isEmpty)
        #expect(headers["transfer-encoding"].isEmpty)
        #expect(headers["content-type"] == ["text/plain"])
        #expect(headers["x-request-id"] == ["rid"])
    }

    @Test func keyLikeQueryValuesAreRedactedInTheAccessLog() {
        #expect(LoggedTarget.redact("/executor/c/v1?key=abc&alt=sse&auth_token=t") == "/executor/c/v1?key=REDACTED&alt=sse&auth_token=REDACTED")
        #expect(LoggedTarget.redact("/executor/c/v1") == "/executor/c/v1")
    }

    @Test func requestIDsAreAcceptedOnlyWhenSane() {
        #expect(RequestID.accept("abc-123_x.y:z") == "abc-123_x.y:z")
        #expect(RequestID.accept("has space") == nil)
        #expect(RequestID.accept(String(repeating: "a", count: 129)) == nil)
        var generator = RequestIDGenerator()
        let ids = (0..<1000).map { _ in RequestID.generate(using: &generator) }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.count == 32 })
    }

    @Test func principalsAreMatchedByTheirWholeToken() {
        var store = SecretStore()
        store.setForTesting("principal/worker", SecretValue("worker-token"))
        store.setForTesting("principal/operator", SecretValue("operator-token"))
        let principals = [
            Principal(
                name: "worker", location: "x:1", token: Sourced(.reference(.environment(name: "W")), from: .defaultValue(nil)),
                connectors: ["up"], permissions: []),
            Principal(
                name: "operator", location: "x:2", token: Sourced(.reference(.environment(name: "O")), from: .defaultValue(nil)),
                connectors: ["*"], permissions: ["manage"]),
        ]
        let directory = PrincipalDirectory(principals: principals, secrets: store)
        #expect(directory.authenticate("worker-token")?.name == "worker")
        #expect(directory.authenticate("operator-token")?.name == "operator")
        #expect(directory.authenticate("worker-toke") == nil)
        #expect(directory.authenticate("worker-token2") == nil)
        #expect(directory.authenticate("") == nil)
        #expect(directory.authenticate("worker-token")?.mayUse(connector: "other") == false)
        #expect(directory.authenticate("operator-token")?.mayUse(connector: "other") == true)
    }

    @Test func scimRoutesGetSCIMErrorJSONWithAStringStatus() throws {
        let error = ProxyError(.unknownConnector, status: 404, title: "Unknown connector", detail: "No connector named 'x'.")
        let (contentType, body) = ErrorResponse.body(error, format: .scim, connector: "x", requestID: "r")
        #expect(contentType == "application/scim+json")
        #expect(body.contains(#""schemas":["urn:ietf:params:scim:api:messages:2.0:Error"]"#))
        #expect(body.contains(#""status":"404""#))
        let (problemType, problem) = ErrorResponse.body(error, format: .problem, connector: "x", requestID: "r")
        #expect(problemType == "application/problem+json")
        #expect(problem.contains(#""status":404"#))
        #expect(problem.contains(#""request_id":"r""#))
        #expect(problem.contains(#""type":"urn:fractalops:gateway:unknown-connector""#))
    }

    @Test func metricsRenderPrometheusText() {
        let metrics = GatewayMetrics(connectors: ["up"])
        metrics.requestStarted()
        metrics.requestFinished(connector: "up", method: "GET", status: 200, upstreamSeconds: 0.003, errorKind: nil)
        metrics.requestStarted()
        metrics.requestFinished(connector: "up", method: "BREW", status: 502, upstreamSeconds: nil, errorKind: "refused")
        let text = metrics.render()
        #expect(text.contains(#"gateway_requests_total{connector="up",method="GET",status_class="2xx"} 1"#))
        #expect(text.contains(#"gateway_requests_total{connector="up",method="OTHER",status_class="5xx"} 1"#))
        #expect(text.contains(#"gateway_errors_total{connector="up",kind="refused"} 1"#))
        #expect(text.contains(#"gateway_upstream_duration_seconds_bucket{connector="up",le="0.005"} 1"#))
        #expect(text.contains(#"gateway_upstream_duration_seconds_bucket{connector="up",le="0.0025"} 0"#))
        #expect(text.contains("gateway_requests_in_flight 0"))
    }
}

@Suite("URL rewriting and key carriers")
struct URLRewritingTests {
    @Test func upstreamURLsBecomeTheGatewaysOnlyWhereTheyStartAJSONString() {
        let rewriter = URLRewriter(
            rewrites: [
                RouteSpec.URLRewrite(
                    upstreamPrefixes: ["http://nexus.internal/scim/v2", "http://127.0.0.1:9443/scim/v2"],
                    gatewayPath: "/scim/nexus", inRequests: true, keys: ["$ref", "location"])
            ],
            gatewayBase: "http://gw.example:8080")
        let body = ByteBuffer(
            string:
                #"{"id":"http://127.0.0.1:9443/scim/v2/x","externalId":"http://127.0.0.1:9443/scim/v2/Users/1","meta":{"location" : "http://127.0.0.1:9443/scim/v2/Users/1"},"members":[{"$ref":"http:\/\/nexus.internal\/scim\/v2\/Users\/2","value":"2"}],"note":"see http://127.0.0.1:9443/scim/v2"}"#
        )
        let out = String(buffer: rewriter.bodyToGateway(body))
        #expect(out.contains(#""location" : "http://gw.example:8080/scim/nexus/Users/1""#))
        #expect(out.contains(#""id":"http://127.0.0.1:9443/scim/v2/x""#), "ids are never rewritten")
        #expect(out.contains(#""externalId":"http://127.0.0.1:9443/scim/v2/Users/1""#), "externalId is never rewritten")
        #expect(out.contains(#""$ref":"http:\/\/gw.example:8080\/scim\/nexus\/Users\/2""#))
        #expect(out.contains(#""note":"see http://127.0.0.1:9443/scim/v2""#), "only URL keys change")
        #expect(rewriter.headerToGateway("http://127.0.0.1:9443/scim/v2/Users/9") == "http://gw.example:8080/scim/nexus/Users/9")
        let request = ByteBuffer(string: #"{"members":[{"$ref":"http://gw.example:8080/scim/nexus/Users/2"}]}"#)
        #expect(String(buffer: rewriter.bodyToUpstream(request)) == #"{"members":[{"$ref":"http://nexus.internal/scim/v2/Users/2"}]}"#)
    }

    @Test(
        arguments: [
            ("application/scim+json", true), ("application/json; charset=utf-8", true), ("application/problem+json", true),
            ("text/event-stream", false), ("text/plain", false), (nil, false),
        ] as [(String?, Bool)])
    func onlyJSONBodiesAreRewritten(contentType: String?, expected: Bool) {
        #expect(URLRewriter.isJSON(contentType) == expected)
    }

    @Test(arguments: [
        ("/v1/models?key=abc&alt=sse", "/v1/models?alt=sse"),
        ("/v1/models?alt=sse&auth_token=t", "/v1/models?alt=sse"),
        ("/v1/models?key=abc", "/v1/models"),
        ("/v1beta/models/m:streamGenerateContent?alt=sse&KEY=x&q=%22a+b%22", "/v1beta/models/m:streamGenerateContent?alt=sse&q=%22a+b%22"),
        ("/v1/models", "/v1/models"),
        ("/v1/models?monkey=1", "/v1/models?monkey=1"),
    ])
    func keyCarriersAreRemovedFromTheQueryAndTheRestKeptByteForByte(target: String, expected: String) {
        #expect(String(RequestRewriter.withoutParameters(Substring(target), ["key", "auth_token"])) == expected)
    }
}
