import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayCore

#if canImport(Glibc)
import Glibc
import FoundationEssentials
#endif

/// The fault table (docs/data-path.md), row by row, in process: what the caller gets when the upstream
/// cannot be reached, stays silent, closes or answers too much.
@Suite("faults in process")
struct ProxyFaultTests {
    static let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

    static func status(_ answer: String) -> String {
        answer.components(separatedBy: "\r\n").first ?? ""
    }

    @Test func aConnectTimeoutIs504() throws {
        let proxy = try EmbeddedProxy()
        proxy.dialError = ChannelError.connectTimeout(.seconds(5))
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        let answer = try proxy.callerReceived()
        #expect(Self.status(answer) == "HTTP/1.1 504 Gateway Timeout")
        #expect(answer.contains("urn:fractalops:gateway:timeout"))
        #expect(proxy.caller.isActive, "a bodiless request keeps its connection")
    }

    @Test func aFailedConnectIs502() throws {
        let proxy = try EmbeddedProxy()
        proxy.dialError = IOError(errnoCode: ECONNRESET, reason: "connect")
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        #expect(Self.status(try proxy.callerReceived()) == "HTTP/1.1 502 Bad Gateway")
    }

    @Test func anUpstreamThatNeverAnswersIs504AfterTheFirstByteTimeout() throws {
        let proxy = try EmbeddedProxy(connector: "limits: {first_byte_timeout: 2s}")
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        proxy.loop.advanceTime(by: .milliseconds(1900))
        #expect(try proxy.callerReceived() == "")
        proxy.loop.advanceTime(by: .milliseconds(200))
        let answer = try proxy.callerReceived()
        #expect(Self.status(answer) == "HTTP/1.1 504 Gateway Timeout")
        #expect(answer.contains("first_byte_timeout"))
        #expect(!proxy.dialed[0].isActive, "the silent connection is closed, not pooled")
    }

    @Test func silenceMidResponseAbortsTheCallersConnection() throws {
        let proxy = try EmbeddedProxy(connector: "limits: {idle_timeout: 3s}")
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf")
        #expect(try proxy.callerReceived().hasSuffix("half"))
        proxy.loop.advanceTime(by: .seconds(4))
        #expect(!proxy.caller.isActive, "a truncated body never looks complete")
        #expect(!proxy.dialed[0].isActive)
    }

    @Test func anUpstreamThatClosesBeforeAnsweringIs502() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("POST", "/x", extra: "Content-Length: 2\r\n") + "ab")
        _ = try proxy.upstreamReceived()
        proxy.dialed[0].pipeline.fireChannelInactive()
        let answer = try proxy.callerReceived()
        #expect(Self.status(answer) == "HTTP/1.1 502 Bad Gateway")
        #expect(answer.contains("urn:fractalops:gateway:reset"))
    }

    @Test func aPooledConnectionFoundDeadIsRetriedOnceOnAFreshOne() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("GET", "/one"))
        #expect(try proxy.upstreamReceived().hasPrefix("GET /base/one "))
        try proxy.upstreamAnswers(Self.ok)
        _ = try proxy.callerReceived()
        try proxy.send(EmbeddedProxy.request("GET", "/two"))
        #expect(try proxy.upstreamReceived().hasPrefix("GET /base/two "), "the pooled connection is reused")
        proxy.dialed[0].pipeline.fireChannelInactive()  // the upstream had closed it meanwhile
        #expect(proxy.dialed.count == 2)
        #expect(try proxy.upstreamReceived(1).hasPrefix("GET /base/two "), "retried on a fresh connection")
        try proxy.upstreamAnswers(Self.ok, on: 1)
        #expect(Self.status(try proxy.callerReceived()) == "HTTP/1.1 200 OK")
    }

    @Test func aBodyOverTheLimitIs413() throws {
        let proxy = try EmbeddedProxy(connector: "limits: {max_body_bytes: 10}")
        try proxy.send(EmbeddedProxy.request("POST", "/x", extra: "Content-Length: 11\r\n") + "0123456789a")
        #expect(Self.status(try proxy.callerReceived()) == "HTTP/1.1 413 Payload Too Large")
        #expect(proxy.dialed.isEmpty)
        #expect(!proxy.caller.isActive)
    }

    @Test func aChunkedBodyThatGrowsOverTheLimitIs413AndCloses() throws {
        let proxy = try EmbeddedProxy(connector: "limits: {max_body_bytes: 10}")
        try proxy.send(EmbeddedProxy.request("POST", "/x", extra: "Transfer-Encoding: chunked\r\n") + "6\r\nabcdef\r\n")
        try proxy.send("6\r\nghijkl\r\n")
        #expect(Self.status(try proxy.callerReceived()) == "HTTP/1.1 413 Payload Too Large")
        #expect(!proxy.caller.isActive)
        #expect(proxy.dialed.allSatisfy { !$0.isActive }, "the half-sent request's connection is closed")
    }

    @Test func headersOver64KiBAre431() throws {
        let proxy = try EmbeddedProxy()
        let big = String(repeating: "X-Filler: \(String(repeating: "a", count: 1000))\r\n", count: 66)
        try proxy.send(EmbeddedProxy.request("GET", "/x", extra: big))
        #expect(Self.status(try proxy.callerReceived()) == "HTTP/1.1 431 Request Header Fields Too Large")
        #expect(proxy.dialed.isEmpty)
    }

    @Test func aCallerThatLeavesMidExchangeFreesTheUpstreamConnection() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        _ = try proxy.upstreamReceived()
        proxy.caller.pipeline.fireChannelInactive()
        #expect(!proxy.dialed[0].isActive, "an exchange nobody waits for is not left open upstream")
    }
}
