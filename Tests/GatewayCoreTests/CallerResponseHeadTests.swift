import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

/// The head the caller gets is the upstream's bytes with the proxy's edits: kept lines exactly
/// as sent (copied in runs), the lines left out gone, the gateway's lines last.
@Suite("caller response head")
struct CallerResponseHeadTests {
    static func written(_ head: CallerResponseHead) -> String {
        var buffer = ByteBuffer()
        head.write(into: &buffer)
        return String(buffer: buffer)
    }

    @Test func keptLinesAreCopiedAsSentAndTheOthersLeftOut() {
        let upstream = UpstreamResponseHead.scanning(
            "HTTP/1.0 201 Made  \r\nA:1\r\nB: two \r\nConnection: keep-alive, x-hop\r\nX-Hop: h\r\nLocation: /old\r\n"
                + "X-Request-Id: theirs\r\nKeep-Alive: timeout=5\r\nC:\t3\r\nContent-Length: 2\r\n\r\nok")
        var head = CallerResponseHead(upstream: upstream, version: .http1_1, requestID: "rid-1")
        head.replace("location", with: "/new")
        head.close = true
        #expect(
            Self.written(head)
                == "HTTP/1.1 201 Made  \r\nA:1\r\nB: two \r\nC:\t3\r\nContent-Length: 2\r\nlocation: /new\r\n"
                + "x-request-id: rid-1\r\nconnection: close\r\n\r\n")
    }

    @Test func aHeadWithNothingLeftOutIsOneRun() {
        let upstream = UpstreamResponseHead.scanning("HTTP/1.1 204 No Content\r\nDate: d\r\nServer: s\r\n\r\n")
        var head = CallerResponseHead(upstream: upstream, version: .http1_0, requestID: "r")
        head.chunked = true
        #expect(
            Self.written(head)
                == "HTTP/1.0 204 No Content\r\nDate: d\r\nServer: s\r\nx-request-id: r\r\ntransfer-encoding: chunked\r\n"
                + "connection: keep-alive\r\n\r\n", "an HTTP/1.0 caller's kept connection is said to be kept")
    }

    @Test func aHeadOfOnlyLinesLeftOutKeepsTheStatusLine() {
        let upstream = UpstreamResponseHead.scanning("HTTP/1.1 200 \r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n")
        let head = CallerResponseHead(upstream: upstream, version: .http1_1, requestID: "r")
        #expect(Self.written(head) == "HTTP/1.1 200 \r\nx-request-id: r\r\n\r\n")
    }
}
