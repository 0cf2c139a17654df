import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

/// The exchange as a value: every transition of `ExchangeStateMachine`, each fault of the
/// fault table (docs/data-path.md), early answers, retries and the deadlines, with a clock that only
/// moves when the test says so.
@Suite("exchange state machine")
struct ExchangeStateMachineTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    static func target(maxBody: Int = 100, rewrites: [RouteSpec.URLRewrite] = []) -> UpstreamTarget {
        UpstreamTarget(
            connector: "up", host: "127.0.0.1", port: 9, basePath: "/api", hostHeader: "up.internal", tlsContext: nil,
            serverHostname: nil, credential: nil, removedRequestHeaders: [], forwardedFor: .client, rewrites: rewrites,
            connectTimeout: .seconds(1), firstByteTimeout: .seconds(2), idleTimeout: .seconds(3), maxBodyBytes: maxBody,
            maxConnectionsPerLoop: 4)
    }

    static let rewrite = RouteSpec.URLRewrite(
        upstreamPrefixes: ["http://up.internal/api"], gatewayPath: "/scim/up", inRequests: true, keys: nil)

    /// A machine for `method uri`; `rewriting` makes it a route that rewrites JSON bodies.
    static func machine(
        _ method: HTTPMethod = .GET, version: HTTPVersion = .http1_1, headers: [(String, String)] = [],
        declaresBody: Bool = false, rewriting: Bool = false, expectsContinue: Bool = false, maxBody: Int = 100,
        limits: ClientLimits = .defaults
    ) -> ExchangeStateMachine {
        let target = target(maxBody: maxBody, rewrites: rewriting ? [rewrite] : [])
        let head = HTTPRequestHead(version: version, method: method, uri: "/executor/up/x", headers: HTTPHeaders(headers))
        let upstreamHead = UpstreamRequestHead(method: method, uri: "/api/x", framing: declaresBody ? .chunked : .none)
        let rewriter = rewriting ? URLRewriter(rewrites: [rewrite], gatewayBase: "http://gw.test") : nil
        let plan = RouteDecision.ForwardPlan(
            target: target, upstreamHead: upstreamHead, principal: "worker", format: .problem,
            expectsContinue: expectsContinue, rewriter: rewriter, bufferRequestBody: rewriting)
        return ExchangeStateMachine(
            plan: plan, clientHead: CallerRequestHead(head), requestID: "rid", declaresBody: declaresBody,
            limits: limits, now: t0)
    }

    /// An upstream's answer head, as its bytes scanned.
    static func response(_ code: Int, _ headers: [(String, String)] = [("content-length", "2")]) -> UpstreamResponseHead {
        UpstreamResponseHead.scanning("HTTP/1.1 \(code) X\r\n" + headers.map { "\($0): \($1)\r\n" }.joined() + "\r\n")
    }

    static func at(_ ms: Int64) -> NIODeadline { t0 + .milliseconds(ms) }

    // MARK: - Forwarding

    @Test func aRequestReadBeforeTheConnectionIsSentWithItsHead() {
        var m = Self.machine()
        #expect(m.isWaitingForConnection)
        expectAction(m.requestEndReceived(nil, now: Self.at(1)), "none")
        expectAction(m.connectionAttached(reused: false, now: Self.at(5)), "sendRequest head=GET /api/x parts=[end]")
        #expect(m.deadline == Self.at(5) + .seconds(2), "the first-byte wait starts when all of it went out")
    }

    @Test func aRequestReadAfterTheConnectionIsForwardedPartByPart() {
        var m = Self.machine(.POST, declaresBody: true)
        expectAction(m.connectionAttached(reused: false, now: Self.at(1)), "sendRequest head=POST /api/x parts=[]")
        #expect(m.isStreamingToUpstream)
        expectAction(m.requestBodyReceived(ByteBuffer(string: "abc"), now: Self.at(2)), "forward body(3)")
        #expect(m.deadline == Self.at(2) + .seconds(3), "idle deadline while the body streams")
        expectAction(m.requestEndReceived(nil, now: Self.at(3)), "forward end")
        #expect(m.deadline == Self.at(3) + .seconds(2))
    }

    @Test func bodyPartsWaitForTheConnection() {
        var m = Self.machine(.POST, declaresBody: true)
        expectAction(m.requestBodyReceived(ByteBuffer(string: "ab"), now: Self.at(1)), "none")
        expectAction(m.requestBodyReceived(ByteBuffer(string: "cd"), now: Self.at(2)), "none")
        expectAction(m.connectionAttached(reused: false, now: Self.at(3)), "sendRequest head=POST /api/x parts=[body(2), body(2)]")
    }

    @Test func aCompleteResponseGoesBackToThePool() {
        var m = Self.machine()
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: false, now: Self.at(2))
        let head = m.responseHeadReceived(
            Self.response(200, [("content-length", "2"), ("connection", "keep-alive, x-hop"), ("x-hop", "1")]),
            quiescing: false, now: Self.at(4))
        guard case let .sendResponseHead(sent) = head else {
            Issue.record("\(head)")
            return
        }
        #expect(sent.headers["x-request-id"] == ["rid"])
        #expect(sent.headers["x-hop"].isEmpty && sent.headers["connection"].isEmpty, "hop-by-hop headers stay here")
        #expect(m.upstreamSeconds == 0.002)
        expectAction(m.responseBodyReceived(ByteBuffer(string: "ok"), now: Self.at(5)), "respond body(2)")
        expectAction(m.responseEndReceived(reusable: true, quiescing: false), "complete reuse")
        #expect(m.isFinished && m.outcome.status == 200 && m.outcome.error == nil && m.responseBodyBytes == 2)
    }

    @Test func anEarlyAnswerClosesTheUpstreamConnection() {
        var m = Self.machine(.POST, declaresBody: true)
        _ = m.connectionAttached(reused: false, now: Self.at(1))
        _ = m.requestBodyReceived(ByteBuffer(string: "part"), now: Self.at(2))
        _ = m.responseHeadReceived(Self.response(413), quiescing: false, now: Self.at(3))
        expectAction(
            m.responseEndReceived(reusable: true, quiescing: false), "complete discard",
            "the request is unfinished on the wire: the connection cannot be reused")
        #expect(!m.isRequestComplete)
    }

    @Test(arguments: [
        (HTTPVersion.http1_1, [("connection", "close")], false, "complete reuse close"),
        (.http1_1, [], true, "complete reuse close"),
        (.http1_1, [], false, "complete reuse"),
        (.http1_0, [("connection", "keep-alive")], false, "complete reuse close"),
    ])
    func theCallersConnectionClosesWhenItMust(version: HTTPVersion, headers: [(String, String)], quiescing: Bool, expected: String) {
        var m = Self.machine(version: version, headers: headers)
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: false, now: Self.at(2))
        let noLength = version == .http1_0 ? [("content-type", "text/plain")] : [("content-length", "0")]
        guard case let .sendResponseHead(head) = m.responseHeadReceived(Self.response(200, noLength), quiescing: quiescing, now: Self.at(3))
        else {
            Issue.record("no head")
            return
        }
        #expect(head.headers["connection"] == (expected.hasSuffix("close") ? ["close"] : []))
        #expect(describe(m.responseEndReceived(reusable: true, quiescing: quiescing)) == expected)
    }

    @Test func informationalAnswersAreNotForwarded() {
        var m = Self.machine()
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: false, now: Self.at(2))
        expectAction(m.responseHeadReceived(Self.response(103, []), quiescing: false, now: Self.at(3)), "none")
        expectAction(m.responseHeadReceived(Self.response(200), quiescing: false, now: Self.at(4)), "respond head 200", prefix: true)
    }

    @Test func expectContinueIsAnsweredOnTheFirstAttachOnly() {
        var m = Self.machine(.PUT, declaresBody: true, expectsContinue: true)
        expectAction(m.connectionAttached(reused: true, now: Self.at(1)), "sendRequest continue head=PUT /api/x parts=[]")
        expectAction(m.upstreamFailed(UpstreamFailure.closedBeforeAnswer(m.target)), "retry")
        expectAction(m.connectionAttached(reused: false, now: Self.at(2)), "sendRequest head=PUT /api/x parts=[]")
    }

    // MARK: - WebSocket handshakes

    static func upgrade() -> ExchangeStateMachine {
        let target = target()
        var upstreamHead = UpstreamRequestHead(method: .GET, uri: "/api/ws", framing: .none)
        upstreamHead.add("upgrade", "websocket")
        let plan = RouteDecision.ForwardPlan(
            target: target, upstreamHead: upstreamHead, principal: "worker", format: .problem, expectsContinue: false,
            rewriter: nil, bufferRequestBody: false, upgrade: true)
        return ExchangeStateMachine(
            plan: plan, clientHead: CallerRequestHead(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/executor/up/ws")), requestID: "rid",
            declaresBody: false, limits: .defaults, now: t0)
    }

    @Test func a101ToAHandshakeOpensATunnelAtTheAnswersEnd() {
        var m = Self.upgrade()
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: false, now: Self.at(2))
        let accepted = Self.response(101, [("upgrade", "websocket"), ("connection", "upgrade"), ("sec-websocket-accept", "x")])
        expectAction(m.responseHeadReceived(accepted, quiescing: false, now: Self.at(3)), "none")
        let opened = m.responseEndReceived(reusable: true, quiescing: false)
        guard case let .openTunnel(head) = opened else {
            Issue.record("\(opened)")
            return
        }
        #expect(head.status == .switchingProtocols && head.headers["sec-websocket-accept"] == ["x"])
        #expect(head.headers["connection"] == ["upgrade"] && head.headers["upgrade"] == ["websocket"])
        #expect(m.outcome.status == 101 && m.isFinished)
    }

    @Test func aDeclinedHandshakeIsAnOrdinaryAnswerThatClosesTheCaller() {
        var m = Self.upgrade()
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: false, now: Self.at(2))
        expectAction(m.responseHeadReceived(Self.response(403), quiescing: false, now: Self.at(3)), "respond head 403")
        expectAction(m.responseEndReceived(reusable: true, quiescing: false), "complete reuse close")
    }

    // MARK: - The fault table

    @Test func aFailedConnectIsTheCallersError() {
        var m = Self.machine()
        _ = m.requestEndReceived(nil, now: Self.at(1))
        let refused = ProxyError(.refused, status: 502, title: "refused", detail: "")
        expectAction(m.connectionFailed(refused), "error 502 refused")
        #expect(m.isFinished && m.outcome.status == 502 && m.outcome.error == "refused")
        expectAction(m.connectionAttached(reused: false, now: Self.at(2)), "none", "a late connection is not used")
    }

    @Test func anErrorMidUploadClosesTheCallersConnection() {
        var m = Self.machine(.POST, declaresBody: true)
        expectAction(m.connectionFailed(ProxyError(.refused, status: 502, title: "", detail: "")), "error 502 refused close")
    }

    @Test func aBodyOverTheLimitIs413AndCloses() {
        var m = Self.machine(.POST, declaresBody: true, maxBody: 4)
        _ = m.connectionAttached(reused: false, now: Self.at(1))
        expectAction(m.requestBodyReceived(ByteBuffer(string: "12345"), now: Self.at(2)), "error 413 limit close")
    }

    @Test func aStaleReusedConnectionIsRetriedOnceForIdempotentRequests() {
        var m = Self.machine()
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: true, now: Self.at(2))
        let reset = UpstreamFailure.closedBeforeAnswer(m.target)
        expectAction(m.upstreamFailed(reset), "retry")
        expectAction(m.connectionAttached(reused: true, now: Self.at(3)), "sendRequest head=GET /api/x parts=[end]")
        expectAction(m.upstreamFailed(reset), "error 502 reset", "once only")
    }

    @Test func aFreshConnectionOrAPostIsNotRetried() {
        var fresh = Self.machine()
        _ = fresh.requestEndReceived(nil, now: Self.at(1))
        _ = fresh.connectionAttached(reused: false, now: Self.at(2))
        expectAction(fresh.upstreamFailed(UpstreamFailure.closedBeforeAnswer(fresh.target)), "error 502 reset")
        var post = Self.machine(.POST)
        _ = post.requestEndReceived(nil, now: Self.at(1))
        _ = post.connectionAttached(reused: true, now: Self.at(2))
        expectAction(post.upstreamFailed(UpstreamFailure.closedBeforeAnswer(post.target)), "error 502 reset")
    }

    @Test func aFailureAfterTheHeadAbortsTheResponse() {
        var m = Self.machine()
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: true, now: Self.at(2))
        _ = m.responseHeadReceived(Self.response(200, [("content-length", "10")]), quiescing: false, now: Self.at(3))
        expectAction(m.upstreamFailed(UpstreamFailure.closedBeforeAnswer(m.target)), "abort reset")
        #expect(m.outcome.status == 200 && m.outcome.error == "reset")
    }

    @Test func a101WithoutAnUpgradeIsAProtocolError() {
        var m = Self.machine()
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: true, now: Self.at(2))
        expectAction(m.responseHeadReceived(Self.response(101, []), quiescing: false, now: Self.at(3)), "error 502 upstream_protocol")
    }

    @Test func theFirstByteTimeoutIs504() {
        var m = Self.machine()
        _ = m.requestEndReceived(nil, now: Self.at(0))
        _ = m.connectionAttached(reused: false, now: Self.at(10))
        expectAction(m.deadlineReached(now: Self.at(2009)), "none")
        let fired = m.deadlineReached(now: Self.at(2010))
        expectAction(fired, "error 504 timeout")
        if case let .respondError(error, _) = fired { #expect(error.detail.contains("first_byte_timeout")) }
    }

    @Test func silenceMidResponseAborts() {
        var m = Self.machine()
        _ = m.requestEndReceived(nil, now: Self.at(0))
        _ = m.connectionAttached(reused: false, now: Self.at(0))
        _ = m.responseHeadReceived(Self.response(200, [("content-length", "10")]), quiescing: false, now: Self.at(100))
        _ = m.responseBodyReceived(ByteBuffer(string: "half"), now: Self.at(200))
        #expect(m.deadline == Self.at(3200), "idle deadline from the last activity")
        expectAction(m.deadlineReached(now: Self.at(3200)), "abort timeout")
    }

    @Test func aTrickledBodyIs408() {
        var limits = ClientLimits()
        limits.requestBodyTimeout = 1
        limits.requestBodyMinRate = 1000
        var m = Self.machine(.POST, declaresBody: true, maxBody: 10_000, limits: limits)
        _ = m.connectionAttached(reused: false, now: Self.at(0))
        _ = m.requestBodyReceived(ByteBuffer(repeating: 1, count: 500), now: Self.at(900))
        #expect(m.bodyDeadline == Self.at(1500), "one second, plus half a second for 500 bytes at 1000/s")
        expectAction(m.deadlineReached(now: Self.at(1500)), "error 408 client_timeout close")
    }

    @Test func theCallerLeavingIs499() {
        var m = Self.machine()
        _ = m.connectionAttached(reused: false, now: Self.at(1))
        expectAction(m.callerClosed(), "abandon")
        #expect(m.outcome.status == 499 && m.outcome.error == "client_closed")
        expectAction(m.callerClosed(), "none")
    }

    @Test func malformedCallerBytesAreA400OrAnAbort() {
        let malformed = ProxyError(.badRequest, status: 400, title: "", detail: "")
        var before = Self.machine(.POST, declaresBody: true)
        expectAction(before.callerFailed(malformed), "error 400 bad_request close")
        var after = Self.machine(.POST, declaresBody: true)
        _ = after.connectionAttached(reused: false, now: Self.at(1))
        _ = after.responseHeadReceived(Self.response(200), quiescing: false, now: Self.at(2))
        expectAction(after.callerFailed(malformed), "abort bad_request")
    }

    // MARK: - Routes that rewrite

    @Test func aCollectedRequestBodyIsRewrittenAndSentWithItsLength() {
        var m = Self.machine(.POST, declaresBody: true, rewriting: true)
        #expect(!m.isWaitingForConnection, "a collecting route keeps reading")
        expectAction(m.connectionAttached(reused: false, now: Self.at(1)), "sendRequest parts=[]", "no head yet")
        _ = m.requestBodyReceived(ByteBuffer(string: #"{"ref":"http://gw.test/scim/up"#), now: Self.at(2))
        _ = m.requestBodyReceived(ByteBuffer(string: #"/Users/1"}"#), now: Self.at(3))
        let sent = m.requestEndReceived(nil, now: Self.at(4))
        guard case let .sendRequest(_, head?, parts) = sent, case let .body(body) = parts.first else {
            Issue.record("\(sent)")
            return
        }
        #expect(String(buffer: body) == #"{"ref":"http://up.internal/api/Users/1"}"#)
        #expect(head.headers["content-length"] == [String(body.readableBytes)] && head.headers["transfer-encoding"].isEmpty)
    }

    @Test func aCollectedRequestWaitsForItsConnection() {
        var m = Self.machine(.POST, declaresBody: true, rewriting: true)
        _ = m.requestBodyReceived(ByteBuffer(string: "{}"), now: Self.at(1))
        expectAction(m.requestEndReceived(nil, now: Self.at(2)), "none")
        expectAction(m.connectionAttached(reused: false, now: Self.at(3)), "sendRequest head=POST /api/x parts=[body(2), end]")
    }

    @Test func aCollectedBodyOverTheBufferLimitIs413() {
        var limits = ClientLimits()
        limits.maxBufferedBodyBytes = 3
        var m = Self.machine(.POST, declaresBody: true, rewriting: true, limits: limits)
        expectAction(m.requestBodyReceived(ByteBuffer(string: "{\"a\"}"), now: Self.at(1)), "error 413 limit close")
    }

    @Test func aJSONAnswerIsHeldRewrittenAndSentWithItsLength() {
        var m = Self.machine(rewriting: true)
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: false, now: Self.at(2))
        expectAction(
            m.responseHeadReceived(Self.response(200, [("content-type", "application/scim+json")]), quiescing: false, now: Self.at(3)), "none")
        _ = m.responseBodyReceived(ByteBuffer(string: #"{"location":"http://up.internal/api/Users/1"}"#), now: Self.at(4))
        let done = m.responseEndReceived(reusable: true, quiescing: false)
        guard case let .completeResponse(head?, body?, _, reuse, _) = done else {
            Issue.record("\(done)")
            return
        }
        #expect(String(buffer: body) == #"{"location":"http://gw.test/scim/up/Users/1"}"#)
        #expect(head.headers["content-length"] == [String(body.readableBytes)] && reuse)
        #expect(m.responseBodyBytes == body.readableBytes)
    }

    @Test func aJSONAnswerOverTheBufferLimitIs502() {
        var limits = ClientLimits()
        limits.maxBufferedBodyBytes = 4
        var m = Self.machine(rewriting: true, limits: limits)
        _ = m.requestEndReceived(nil, now: Self.at(1))
        _ = m.connectionAttached(reused: false, now: Self.at(2))
        _ = m.responseHeadReceived(Self.response(200, [("content-type", "application/json")]), quiescing: false, now: Self.at(3))
        expectAction(m.responseBodyReceived(ByteBuffer(string: "{\"a\":1}"), now: Self.at(4)), "error 502 limit")
    }
}
