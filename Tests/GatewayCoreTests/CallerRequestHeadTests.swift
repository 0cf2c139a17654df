import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

/// A caller's head read in place answers as NIO's `HTTPRequestHead` would (keep-alive, the
/// fields), and the rewriter copies its kept fields upstream from the bytes.
@Suite("caller request head")
struct CallerRequestHeadTests {
    static let connections: [(version: String, fields: String)] = [
        ("1.1", ""), ("1.1", "Connection: close\r\n"), ("1.1", "Connection: Keep-Alive, CLOSE\r\n"), ("1.1", "Connection: x, y\r\n"),
        ("1.0", ""), ("1.0", "Connection: keep-alive\r\n"), ("1.0", "Connection: x ,\tKeep-Alive \r\n"),
        ("1.0", "Connection: keep-alive\r\nConnection: close\r\n"), ("1.1", "Connection:\r\n"),
    ]

    @Test(arguments: connections)
    func keepAliveIsNIOs(version: String, fields: String) {
        let head = CallerRequestHead.scanning("GET /x HTTP/\(version)\r\nHost: g\r\n\(fields)\r\n")
        #expect(head.isKeepAlive == head.httpRequestHead.isKeepAlive)
    }

    /// The upstream's answer too: the same rules, from the same scanner's notes.
    @Test(
        arguments: connections + [
            ("1.1", "Connection: keep-alive\r\n"), ("1.1", "connection: Close\r\nConnection: keep-alive\r\n"),
            ("1.0", "Connection: close, keep-alive\r\n"),
        ])
    func anAnswersKeepAliveIsNIOs(version: String, fields: String) {
        let head = UpstreamResponseHead.scanning("HTTP/\(version) 200 OK\r\nContent-Length: 0\r\n\(fields)\r\n")
        var nio = HTTPResponseHead(version: HTTPVersion(major: 1, minor: version == "1.0" ? 0 : 1), status: .ok)
        head.bytes.withUnsafeReadableBytes { raw in
            for line in head.scanned.fields.lines {
                nio.headers.add(name: String(decoding: raw[line.name], as: UTF8.self), value: String(decoding: raw[line.value], as: UTF8.self))
            }
        }
        #expect(head.keepAlive == nio.isKeepAlive)
        let listed = nio.headers["connection"].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        #expect(head.connectionTokens == Set(listed.filter { !["", "close", "keep-alive"].contains($0) }))
    }

    /// The heads are copied whole along an exchange; past 128 bytes each copy became a `memcpy`
    /// call (bench/counts: 22 more per small GET when two flags pushed the caller's head over).
    @Test func theHeadsStaySmallEnoughToBeCopiedInline() {
        #expect(MemoryLayout<CallerRequestHead>.size <= 128)
        #expect(MemoryLayout<UpstreamResponseHead>.size <= 128)
    }

    @Test func fieldsAreReadAsSent() {
        let head = CallerRequestHead.scanning("POST /a?b=1 HTTP/1.1\r\nHost: g\r\nX-Two: 1\r\nx-two:2 \r\nX-Request-Id: r-1\r\n\r\n")
        #expect(head.method == .POST && head.uri == "/a?b=1" && head.version == .http1_1)
        #expect(head.first("x-request-id") == "r-1" && head.first("absent") == nil)
        #expect(RequestHeadSummary(head).requestID.map(head.text) == "r-1", "the summary's pass finds it too")
        #expect(head.values("X-TWO") == ["1", "2 "], "every line, the trailing whitespace kept as llhttp keeps it")
        #expect(head.headers.map { "\($0.name)=\($0.value)" } == ["Host=g", "X-Two=1", "x-two=2 ", "X-Request-Id=r-1"])
    }

    @Test func theSummaryTakesTheFirstRequestIDAndTheScannerSortsConnectionLines() {
        let head = CallerRequestHead.scanning("GET / HTTP/1.1\r\nHost: g\r\nX-Request-Id: one\r\nx-request-id: two\r\n\r\n")
        #expect(RequestHeadSummary(head).requestID.map(head.text) == "one")
        #expect(head.scanned.fields.connectionLists == 0 && !head.scanned.fields.connectionClose)
        let lines = CallerRequestHead.scanning(
            "GET / HTTP/1.1\r\nHost: g\r\nConnection: a\r\nCONNECTION: Keep-Alive\r\nconnection: close, b\r\nConnection: CLOSE\r\n\r\n")
        #expect(lines.scanned.fields.connectionLists == 2)
        #expect(lines.scanned.fields.connectionKeepAlive && lines.scanned.fields.connectionClose)
    }

    @Test(arguments: ["GET", "PUT", "POST", "HEAD", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "M-SEARCH", "PROPFIND"])
    func theMethodIsNIOs(method: String) {
        // Read from the bytes as NIO's `HTTPMethod(rawValue:)` reads the same name (case-sensitive).
        let head = CallerRequestHead.scanning("\(method) /x HTTP/1.1\r\nHost: g\r\n\r\n")
        #expect(head.method == HTTPMethod(rawValue: method))
    }

    @Test func aSwitchIsCONNECTOrAnUpgradeTheConnectionAsksFor() {
        #expect(CallerRequestHead.scanning("CONNECT /executor/a/x HTTP/1.1\r\nHost: h\r\n\r\n").switchesProtocols)
        #expect(
            CallerRequestHead.scanning("GET / HTTP/1.1\r\nHost: g\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n").switchesProtocols
        )
        #expect(!CallerRequestHead.scanning("GET / HTTP/1.1\r\nHost: g\r\nUpgrade: websocket\r\n\r\n").switchesProtocols)
        #expect(!CallerRequestHead.scanning("GET / HTTP/1.1\r\nHost: g\r\nConnection: upgrade\r\n\r\n").switchesProtocols)
    }

    @Test func theRewriterCopiesKeptFieldsAndDropsTheOthers() {
        let head = CallerRequestHead.scanning(
            "GET /executor/up/x HTTP/1.1\r\nHost: g\r\nA:1\r\nConnection: x-hop\r\nX-Hop: h\r\nX_Forwarded_For: 6.6.6.6\r\nB:\t two \r\n\r\n")
        let upstream = RequestRewriter.upstreamHead(
            client: head, uriRemainder: "/x", target: DataPathRuleTests.target(), peerAddress: "10.0.0.1", requestID: "rid")
        var bytes = ByteBuffer()
        upstream.write(into: &bytes)
        let text = String(buffer: bytes)
        #expect(text.hasPrefix("GET /base/x HTTP/1.1\r\nA: 1\r\nB: two \r\nhost: "), "\(text)")
        #expect(!text.contains("X-Hop") && !text.contains("6.6.6.6") && !text.contains("Connection"))
    }
}
