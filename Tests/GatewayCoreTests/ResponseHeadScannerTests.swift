import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import GatewayCore

/// `ResponseHeadScanner` against llhttp, through NIO's `HTTPResponseDecoder` (answering a GET):
/// every head the scanner accepts, NIO's decoder reads the same (status, reason, version, each
/// field, where the body ends); desync shapes are refused; seeded mutations keep both true.
@Suite("response head scanner")
struct ResponseHeadScannerTests: ScannerDifferential {
    /// The reason phrase is not compared: NIO's `HTTPResponseStatus` replaces a known status's
    /// reason with its own ("302 " reads as "302 Found").
    struct Reading: Equatable, CustomStringConvertible {
        var status: Int
        var minorVersion: Int
        var fields: [String]
        var bodyBytes: Int

        var description: String { "1.\(minorVersion) \(status) \(fields) body \(bodyBytes)" }
    }

    /// What NIO's decoder makes of `bytes` as the answer to a GET; `closeAfter` ends the
    /// connection after them (the end of a body without a length).
    static func nio(_ bytes: [UInt8], closeAfter: Bool = false) -> LLHTTPOutcome<Reading> {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        do {
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")))
            try channel.writeOutbound(HTTPClientRequestPart.end(nil))
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            try channel.writeInbound(buffer)
            if closeAfter { channel.pipeline.fireChannelInactive() }
        } catch {
            return .refused
        }
        var reading: Reading?
        var ended = false
        while !ended, let part = try? channel.readInbound(as: HTTPClientResponsePart.self) {
            switch part {
            case let .head(head):
                guard reading == nil else { break }
                reading = Reading(
                    status: Int(head.status.code), minorVersion: head.version.minor,
                    fields: head.headers.map { "\($0.name): \($0.value)" }, bodyBytes: 0)
            case let .body(body): reading?.bodyBytes += body.readableBytes
            case .end: ended = true
            }
        }
        guard let reading, ended else { return .unfinished }
        return .read(reading)
    }

    static func scan(_ bytes: [UInt8]) -> HeadScan<ScannedResponseHead> {
        bytes.withUnsafeBytes { ResponseHeadScanner.scan($0) }
    }

    /// Checks the rule for `bytes`: what the scanner accepts, NIO reads the same.
    @discardableResult
    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> HeadScan<ScannedResponseHead> {
        let outcome = scan(bytes)
        let text = { (range: Range<Int>) in String(decoding: bytes[range], as: UTF8.self) }
        switch outcome {
        case let .head(head):
            // Statuses without a body (1xx, 204, 304) are left out: NIO reads a 1xx as an
            // interim head and goes on to the next.
            guard !(100..<200).contains(head.status), head.status != 204, head.status != 304 else { break }
            let fields = head.fields
            let delimitedByClose = fields.contentLength == nil && !fields.chunked
            let body = fields.declaredBody
            let expected = Reading(
                status: head.status, minorVersion: head.minorVersion,
                fields: fields.lines.map { "\(text($0.name)): \(text($0.value))" }, bodyBytes: fields.contentLength ?? 0)
            #expect(
                nio(Array(bytes[..<fields.end]) + body, closeAfter: delimitedByClose) == .read(expected),
                "accepted \(String(decoding: bytes, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
        case .needMoreBytes:
            if case let .read(reading) = nio(bytes), reading.bodyBytes == 0, bytes.count > 0 {
                // NIO finished a message the scanner wants more bytes for: only a body-less
                // answer could, and the scanner must then have seen its end.
                Issue.record(
                    "NIO read a message the scanner wants more bytes for: \(String(decoding: bytes, as: UTF8.self).debugDescription)",
                    sourceLocation: sourceLocation)
            }
        case .refused:
            break
        }
        return outcome
    }

    static let seeds: [String] = [
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: application/json\r\nContent-Length: 42\r\nConnection: keep-alive\r\n\r\n",
        "HTTP/1.1 404 Not Found\r\ncontent-type: application/scim+json\r\ntransfer-encoding: chunked\r\nx-empty:\r\n\r\n",
        "HTTP/1.0 500 Internal Server Error\r\nContent-Length: 3\r\nX-Tab:\tv\t\r\n\r\n",
        "HTTP/1.1 302 \r\nLocation: /login?next=%2F\r\nContent-Length: 0\r\nSet-Cookie: a=b; Path=/; HttpOnly\r\n\r\n",
    ]

    static func verdict(_ bytes: [UInt8]) -> HeadMutations.Verdict { agree(bytes).verdict }

    @Test func realHeadsReadTheSameAsLLHTTP() {
        Self.expectSeedsAccepted()
        for seed in Self.seeds {
            guard case let .head(head) = Self.scan(Array(seed.utf8)) else { continue }
            #expect(head.fields.end == seed.utf8.count)
        }
        guard case let .head(head) = Self.scan(Array(Self.seeds[1].utf8)) else { return }
        #expect(head.status == 404 && head.fields.chunked)
    }

    @Test func everyPrefixOfAHeadAsksForMoreBytes() {
        Self.expectPrefixesUnfinished()
    }

    @Test(arguments: [
        // Two framings, or framing read differently: the connection could desync.
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\t\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        // The status line.
        "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/1.1 200 O\u{0}K\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
        "ICY 200 OK\r\n\r\n",
        // Fields.
        "HTTP/1.1 200 OK\r\nX: a\rSet-Cookie: evil\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX : a\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\u{0}b\r\n\r\n",
    ])
    func desyncShapesAreRefused(head: String) {
        let outcome = Self.scan(Array(head.utf8))
        guard case .refused = outcome else {
            Issue.record("not refused (\(outcome)): \(head.debugDescription)")
            return
        }
    }

    @Test func mutatedHeadsNeverReadDifferentlyFromLLHTTP() {
        Self.expectMutationsAgree(minimum: 2000)
    }
}
