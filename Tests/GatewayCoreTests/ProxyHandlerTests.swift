import FoundationEssentials
import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayCore

/// The handler in process (`EmbeddedProxy`): what the caller sends, what the upstream receives
/// byte for byte, what the caller gets back, and the clock moved by the test.
@Suite("proxy handler in process")
struct ProxyHandlerTests {
    static let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

    @Test func aRequestIsForwardedWithTheGatewaysHeadAndAnswered() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("GET", "/a/./b//c?q=%2F", extra: "X-Forwarded-For: 6.6.6.6\r\nX_Real_IP: 6.6.6.6\r\n"))
        let sent = try proxy.upstreamReceived()
        #expect(sent.hasPrefix("GET /base/a/b/c?q=%2F HTTP/1.1\r\n"))
        #expect(sent.contains("\r\nX-Echo-Token: \(EmbeddedProxy.upstreamToken)\r\n"))
        #expect(sent.contains("\r\nx-forwarded-for: 10.1.2.3\r\n"))
        #expect(!sent.contains("6.6.6.6") && !sent.contains(EmbeddedProxy.workerToken))
        #expect(sent.hasSuffix("\r\n\r\n"))
        try proxy.upstreamAnswers(Self.ok)
        let answer = try proxy.callerReceived()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.hasSuffix("\r\n\r\nok"))
    }

    @Test func aSmallRequestBodyLeavesWithItsHeadInOneWrite() throws {
        let proxy = try EmbeddedProxy()
        let body = String(repeating: "j", count: 2048)
        try proxy.send(EmbeddedProxy.request("POST", "/p", extra: "Content-Length: \(body.utf8.count)\r\n") + body)
        let first = try proxy.dialed[0].readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
        #expect(first?.hasPrefix("POST /base/p HTTP/1.1\r\n") == true && first?.hasSuffix("\r\n\r\n" + body) == true)
        #expect(try proxy.dialed[0].readOutbound(as: ByteBuffer.self) == nil, "one write")
    }

    @Test func aTraceBodyNeverBecomesASecondRequest() throws {
        let proxy = try EmbeddedProxy()
        let smuggled = "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n"
        try proxy.send(EmbeddedProxy.request("TRACE", "/x", extra: "Content-Length: \(smuggled.utf8.count)\r\n") + smuggled)
        let answer = try proxy.callerReceived()
        #expect(answer.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(answer.contains("connection: close"))
        #expect(proxy.dialed.isEmpty, "nothing was sent upstream")
        #expect(!proxy.caller.isActive)
    }

    @Test func aChunkedBodyKeepsItsFramingAndLosesForbiddenTrailers() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(
            EmbeddedProxy.request("POST", "/up", extra: "Transfer-Encoding: chunked\r\n")
                + "3\r\nabc\r\n0\r\nX-Echo-Token: caller\r\nX_Forwarded_For: 6.6.6.6\r\nX-Sum: 1\r\n\r\n")
        let sent = try proxy.upstreamReceived()
        #expect(sent.contains("transfer-encoding: chunked\r\n"))
        #expect(sent.hasSuffix("\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n"))
        #expect(!sent.contains("caller") && !sent.contains("6.6.6.6"))
    }

    @Test func pipelinedRequestsAllReachTheUpstreamAndAnswerInOrder() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("GET", "/one") + EmbeddedProxy.request("POST", "/two", extra: "Content-Length: 5\r\n") + "hello")
        #expect(try proxy.upstreamReceived().hasPrefix("GET /base/one "))
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\none")
        let second = try proxy.upstreamReceived()
        #expect(second.hasPrefix("POST /base/two "))
        #expect(second.hasSuffix("\r\n\r\nhello"), "the pipelined body is flushed upstream")
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\ntwo")
        let answers = try proxy.callerReceived()
        #expect(answers.hasSuffix("one") == false && answers.hasSuffix("two"))
        #expect(answers.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
    }

    @Test func anUpstream101IsA502AndItsConnectionIsNeverReused() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        _ = try proxy.upstreamReceived()
        try proxy.upstreamAnswers("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")
        #expect(try proxy.callerReceived().hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
        #expect(!proxy.dialed[0].isActive, "the switched connection is closed")
        try proxy.send(EmbeddedProxy.request("GET", "/y"))
        #expect(proxy.dialed.count == 2, "the next request dials a new connection")
        #expect(try proxy.upstreamReceived(1).hasPrefix("GET /base/y "))
    }

    /// A keep-alive HTTP/1.0 caller's GET, answered upstream with `upstreamAnswer`.
    private func http10Exchange(answer upstreamAnswer: String) throws -> (proxy: EmbeddedProxy, answer: String) {
        let proxy = try EmbeddedProxy()
        try proxy.send("GET /executor/echo/x HTTP/1.0\r\nConnection: keep-alive\r\nAuthorization: Bearer \(EmbeddedProxy.workerToken)\r\n\r\n")
        _ = try proxy.upstreamReceived()
        try proxy.upstreamAnswers(upstreamAnswer)
        return (proxy, try proxy.callerReceived())
    }

    @Test func anHTTP10CallerGetsACloseDelimitedBody() throws {
        let (proxy, answer) = try http10Exchange(answer: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(answer.contains("connection: close"))
        #expect(answer.hasSuffix("\r\n\r\nok"))
        #expect(!proxy.caller.isActive)
    }

    @Test func anHTTP10CallerThatAskedToKeepTheConnectionIsToldItIsKept() throws {
        let (proxy, answer) = try http10Exchange(answer: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        #expect(answer.hasPrefix("HTTP/1.0 200 OK\r\n") && answer.contains("connection: keep-alive\r\n"))
        #expect(proxy.caller.isActive)
        try proxy.send("GET /livez HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let local = try proxy.callerReceived()
        #expect(local.hasPrefix("HTTP/1.0 200 OK\r\n") && local.lowercased().contains("connection: keep-alive\r\n"), "\(local)")
        #expect(proxy.caller.isActive)
    }

    @Test func aHeadNotCompleteInTimeGets408() throws {
        let proxy = try EmbeddedProxy(gateway: "limits: {header_read_timeout: 2s}")
        try proxy.send("GET /executor/echo/x HTTP/1.1\r\nHost: g\r\n")
        proxy.loop.advanceTime(by: .milliseconds(1900))
        #expect(proxy.caller.isActive)
        proxy.loop.advanceTime(by: .milliseconds(200))
        let answer = try proxy.callerReceived()
        #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(answer.contains("header_read_timeout"))
        #expect(!proxy.caller.isActive)
    }

    @Test func anIdleKeepAliveConnectionIsClosedSilently() throws {
        let proxy = try EmbeddedProxy(gateway: "limits: {client_idle_timeout: 5s}")
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        _ = try proxy.upstreamReceived()
        try proxy.upstreamAnswers(Self.ok)
        _ = try proxy.callerReceived()
        proxy.loop.advanceTime(by: .seconds(4))
        #expect(proxy.caller.isActive)
        proxy.loop.advanceTime(by: .seconds(2))
        #expect(try proxy.callerReceived() == "")
        #expect(!proxy.caller.isActive)
    }

    @Test func aTrickledBodyGets408AndFreesItsUpstreamConnection() throws {
        let proxy = try EmbeddedProxy(gateway: "limits: {request_body_timeout: 3s, request_body_min_rate: 1000}")
        try proxy.send(EmbeddedProxy.request("POST", "/x", extra: "Content-Length: 100\r\n") + "a")
        for _ in 0..<3 {
            proxy.loop.advanceTime(by: .seconds(1))
            try proxy.send("b")
        }
        proxy.loop.advanceTime(by: .milliseconds(100))
        #expect(try proxy.callerReceived().hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(!proxy.dialed[0].isActive, "the upstream connection is closed, not pooled")
        #expect(!proxy.caller.isActive)
    }

    @Test func aLocalAnswerToAnAnnouncedBodyClosesInsteadOfReadingIt() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send("POST /executor/echo/x HTTP/1.1\r\nHost: g\r\nContent-Length: 100000000\r\n\r\nsome")
        let answer = try proxy.callerReceived()
        #expect(answer.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        #expect(!proxy.caller.isActive)
    }

    @Test func anEarlyAnswerDropsTheRestOfTheBodyForABoundedTime() throws {
        let proxy = try EmbeddedProxy(gateway: "limits: {request_body_timeout: 3s, request_body_min_rate: 0}")
        try proxy.send(EmbeddedProxy.request("POST", "/upload", extra: "Content-Length: 1000\r\n") + "abc")
        _ = try proxy.upstreamReceived()
        try proxy.upstreamAnswers("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n")
        #expect(try proxy.callerReceived().hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        #expect(!proxy.dialed[0].isActive, "a connection answered early is not pooled")
        try proxy.send("more body bytes")
        proxy.loop.advanceTime(by: .seconds(2))
        #expect(proxy.caller.isActive, "the rest of the body is read and dropped for a while")
        proxy.loop.advanceTime(by: .seconds(2))
        #expect(!proxy.caller.isActive, "then the connection is closed")
    }

    @Test func bytesThatAreNoHTTPGet400AndAClose() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send("GET /executor/echo/x HTTP/1.1\r\nHost: g\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
        let answer = try proxy.callerReceived()
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(answer.contains("application/problem+json"))
        #expect(proxy.dialed.isEmpty)
        #expect(!proxy.caller.isActive)
    }
}
