import FoundationEssentials
import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayCore

/// Forwarded answers in process (`EmbeddedProxy`): the upstream's bytes in, the caller's out.
/// The head is the upstream's lines with the proxy's edits; the body keeps the upstream's
/// framing when the caller reads the same, and is framed by the gateway when it does not.
@Suite("forwarded answers in process")
struct ResponseForwardingTests {
    /// One GET answered by `answer`, the upstream's bytes given in `pieces` writes.
    static func exchange(
        _ answer: String, method: String = "GET", version: String = "HTTP/1.1", pieces: Int = 1, close: Bool = false
    ) throws -> (proxy: EmbeddedProxy, answer: String) {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request(method, "/x", version: version))
        _ = try proxy.upstreamReceived()
        let bytes = Array(answer.utf8)
        let size = max(1, (bytes.count + pieces - 1) / pieces)
        for start in stride(from: 0, to: bytes.count, by: size) {
            try proxy.dialed[0].writeInbound(ByteBuffer(bytes: bytes[start..<min(start + size, bytes.count)]))
        }
        if close { _ = try? proxy.dialed[0].close().wait() }
        return (proxy, try proxy.callerReceived())
    }

    @Test func aSmallAnswerLeavesInOneWriteAndALargeBodyAsItCame() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        _ = try proxy.upstreamReceived()
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        let small = try proxy.caller.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
        #expect(small?.hasPrefix("HTTP/1.1 200 OK\r\n") == true && small?.hasSuffix("\r\n\r\nhello") == true, "head and body in one write")
        #expect(try proxy.caller.readOutbound(as: ByteBuffer.self) == nil)

        let large = String(repeating: "x", count: WriteBatch.copyLimit + 1)
        try proxy.send(EmbeddedProxy.request("GET", "/y"))
        _ = try proxy.upstreamReceived()
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\nContent-Length: \(large.utf8.count)\r\n\r\n\(large)")
        let head = try proxy.caller.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
        #expect(head?.hasSuffix("\r\n\r\n") == true, "the head alone")
        #expect(try proxy.caller.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == large, "the body as the upstream's read held it")
    }

    static let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5\r\nhello\r\n0\r\nx-sum: 9\r\n\r\n"

    @Test func theHeadLosesHopByHopFieldsAndGetsTheRequestID() throws {
        let (_, answer) = try Self.exchange(
            "HTTP/1.1 201 Made Here\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Authenticate: Basic\r\nX-Request-Id: upstream-chosen\r\nX-Kept:  spaced \r\nContent-Length: 2\r\n\r\nok")
        let head = answer.components(separatedBy: "\r\n\r\n")[0]
        #expect(head.hasPrefix("HTTP/1.1 201 Made Here\r\n"), "the upstream's reason phrase")
        #expect(head.contains("\r\nX-Kept:  spaced \r\n"), "a field's bytes as sent")
        #expect(head.contains("\r\nContent-Length: 2"))
        for gone in ["X-Hop", "Keep-Alive", "Proxy-Authenticate", "upstream-chosen", "Connection"] {
            #expect(!head.contains(gone), "\(gone) stays on the upstream's side")
        }
        #expect(head.contains("\r\nx-request-id: "))
        #expect(answer.hasSuffix("\r\n\r\nok"))
    }

    @Test(arguments: [1, 7, 1000])
    func aChunkedAnswerReachesAnHTTP11CallerAsTheUpstreamFramedIt(pieces: Int) throws {
        let (proxy, answer) = try Self.exchange(Self.chunked, pieces: pieces)
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\nX-A: 1\r\n"))
        #expect(answer.contains("\r\ntransfer-encoding: chunked\r\n"))
        #expect(answer.hasSuffix("\r\n\r\n5\r\nhello\r\n0\r\nx-sum: 9\r\n\r\n"), "\(answer)")
        #expect(proxy.caller.isActive)
        try proxy.send(EmbeddedProxy.request("GET", "/y"))
        #expect(proxy.dialed.count == 1, "the connection went back to the pool")
    }

    @Test func anAnswerEndedByTheUpstreamsCloseIsChunkedByTheGateway() throws {
        let (proxy, answer) = try Self.exchange("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", close: true)
        #expect(answer.contains("\r\ntransfer-encoding: chunked\r\n"))
        #expect(answer.hasSuffix("\r\n\r\n9\r\nall of it\r\n0\r\n\r\n"), "\(answer)")
        #expect(proxy.caller.isActive, "the caller keeps its connection")
    }

    @Test func anHTTP10CallerGetsTheChunksDataAndTheClose() throws {
        let (proxy, answer) = try Self.exchange(Self.chunked, version: "HTTP/1.0", pieces: 9)
        #expect(answer.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(!answer.lowercased().contains("transfer-encoding"))
        #expect(answer.contains("\r\nconnection: close\r\n"))
        #expect(answer.hasSuffix("\r\n\r\nhello"), "\(answer)")
        #expect(!proxy.caller.isActive)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    ])
    func theAnswerToAHEADIsItsHeadAlone(upstream: String) throws {
        let (proxy, answer) = try Self.exchange(upstream, method: "HEAD")
        #expect(answer.hasSuffix("\r\n\r\n") && !answer.contains("\r\n\r\n0"), "\(answer)")
        #expect(!answer.lowercased().contains("transfer-encoding"), "no framing the caller would wait for")
        try proxy.send(EmbeddedProxy.request("GET", "/y"))
        #expect(proxy.dialed.count == 1, "the connection went back to the pool")
    }

    @Test func aMalformedAnswerIs502AndItsConnectionIsClosed() throws {
        let (proxy, answer) = try Self.exchange("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx")
        #expect(answer.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
        #expect(answer.contains("upstream-protocol") && answer.contains("not a valid HTTP/1.1 response"), "\(answer)")
        #expect(!proxy.dialed[0].isActive)
    }

    @Test func bytesAfterTheAnswerKeepItsConnectionOutOfThePool() throws {
        let (proxy, answer) = try Self.exchange(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged")
        #expect(answer.hasSuffix("\r\n\r\nok") && !answer.contains("forged"))
        #expect(!proxy.dialed[0].isActive)
        try proxy.send(EmbeddedProxy.request("GET", "/y"))
        #expect(proxy.dialed.count == 2, "the next request dials a new connection")
        #expect(try proxy.upstreamReceived(1).hasPrefix("GET /base/y "))
    }

    @Test func aBodyCutShortAbortsTheCallersConnection() throws {
        let (proxy, answer) = try Self.exchange("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", close: true)
        #expect(answer.hasSuffix("\r\n\r\nhalf"))
        #expect(!proxy.caller.isActive, "the truncation shows as a close")
    }
}
