import NIOCore
import NIOEmbedded
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayCore

/// `RequestHeadScanner` against llhttp, through NIO's `HTTPRequestDecoder`: every head the
/// scanner accepts, NIO's decoder reads the same (method, target, version, each field, where the
/// body ends); every smuggling shape is refused; seeded mutations of real heads keep both true.
@Suite("request head scanner")
struct RequestHeadScannerTests: ScannerDifferential {
    /// A request as one side read it: the head's parts as text, and the body bytes until the end.
    struct Reading: Equatable, CustomStringConvertible {
        var method: String
        var target: String
        var minorVersion: Int
        var fields: [String]
        var bodyBytes: Int

        var description: String { "\(method) \(target) 1.\(minorVersion) \(fields) body \(bodyBytes)" }
    }

    /// What NIO's decoder makes of `bytes` (one message expected).
    static func nio(_ bytes: [UInt8]) -> LLHTTPOutcome<Reading> {
        let (reading, ended, failed) = decode(bytes)
        if failed { return .refused }
        guard let reading, ended else { return .unfinished }
        return .read(reading)
    }

    /// The head NIO's decoder passes on for `bytes`, even when an error follows it (llhttp reports
    /// some framing only once the head is complete, and NIO has passed the head on by then).
    static func nioHead(_ bytes: [UInt8]) -> Reading? {
        decode(bytes).reading
    }

    private static func decode(_ bytes: [UInt8]) -> (reading: Reading?, ended: Bool, failed: Bool) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
        defer { _ = try? channel.finish() }
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        var failed = false
        do { try channel.writeInbound(buffer) } catch { failed = true }
        var reading: Reading?
        var ended = false
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
            switch part {
            case let .head(head):
                // NIO names llhttp's M-SEARCH `MSEARCH`.
                reading = Reading(
                    method: head.method == .MSEARCH ? "M-SEARCH" : head.method.rawValue, target: head.uri,
                    minorVersion: head.version.minor, fields: head.headers.map { "\($0.name): \($0.value)" }, bodyBytes: 0)
            case let .body(body): reading?.bodyBytes += body.readableBytes
            case .end: ended = true
            }
        }
        return (reading, ended, failed)
    }

    static func scan(_ bytes: [UInt8]) -> HeadScan<ScannedRequestHead> {
        bytes.withUnsafeBytes { RequestHeadScanner.scan($0) }
    }

    /// The scanner's reading of a head it accepted, with `body` (what the head declares) after it.
    static func reading(_ head: ScannedRequestHead, of bytes: [UInt8]) -> Reading {
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        return Reading(
            method: text(head.method), target: text(head.target), minorVersion: head.minorVersion,
            fields: head.fields.lines.map { "\(text($0.name)): \(text($0.value))" }, bodyBytes: head.fields.contentLength ?? 0)
    }

    /// Checks the one rule: what the scanner accepts, NIO reads the same. Returns the outcome.
    @discardableResult
    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> HeadScan<ScannedRequestHead> {
        let outcome = scan(bytes)
        switch outcome {
        case let .head(head) where head.fields.otherTransferCoding:
            // No body is read after such a head (the gateway answers it 501): the head must be
            // the one NIO passes on.
            let expected = reading(head, of: bytes)
            #expect(
                nioHead(Array(bytes[..<head.fields.end])) == expected,
                "accepted \(String(decoding: bytes, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
        case let .head(head):
            let message = Array(bytes[..<head.fields.end]) + head.fields.declaredBody
            let expected = reading(head, of: bytes)
            #expect(
                nio(message) == .read(expected), "accepted \(String(decoding: bytes, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation
            )
        case .needMoreBytes:
            // NIO must not have found a whole head in bytes the scanner found none in.
            if case .read = nio(bytes) {
                Issue.record(
                    "NIO read a message the scanner wants more bytes for: \(String(decoding: bytes, as: UTF8.self).debugDescription)",
                    sourceLocation: sourceLocation)
            }
        case .refused:
            break  // stricter than llhttp is allowed
        }
        return outcome
    }

    static let seeds: [String] = [
        "GET /executor/langboard/api/boards?limit=10&cursor=a%2Fb HTTP/1.1\r\nHost: gateway.internal\r\nAuthorization: Bearer t0k3n\r\nAccept: */*\r\n\r\n",
        "POST /scim/v2/Users HTTP/1.1\r\nHost: g\r\nContent-Type: application/scim+json\r\nContent-Length: 17\r\nX-Request-ID: abc-123\r\n\r\n",
        "PUT /executor/up/x HTTP/1.1\r\nhost: g\r\ntransfer-encoding: chunked\r\nx-empty:\r\nx-tab:\tv\t\r\n\r\n",
        "DELETE /a/b;c=d HTTP/1.0\r\nHost: g:8080\r\nUser-Agent: curl/8.5.0 (x86_64) caf\u{e9}\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: g\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
        "M-SEARCH * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\nMan: \"ssdp:discover\"\r\nMX: 1\r\n\r\n",
        "\r\nPROPFIND /dav/x HTTP/1.1\r\nHost: g\r\nDepth: 1\r\nContent-Length: 3 \r\n\r\n",
        "POST /executor/up/gz HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    ]

    static func verdict(_ bytes: [UInt8]) -> HeadMutations.Verdict { agree(bytes).verdict }

    @Test func realHeadsReadTheSameAsLLHTTP() throws {
        Self.expectSeedsAccepted()
        for seed in Self.seeds {
            guard case let .head(head) = Self.scan(Array(seed.utf8)) else { continue }
            #expect(head.fields.end == seed.utf8.count)
        }
        guard case let .head(head) = Self.scan(Array(Self.seeds[2].utf8)) else { return }
        #expect(head.fields.chunked && head.fields.contentLength == nil)
        guard case let .head(post) = Self.scan(Array(Self.seeds[1].utf8)) else { return }
        #expect(post.fields.contentLength == 17 && !post.fields.chunked)
    }

    @Test func everyPrefixOfAHeadAsksForMoreBytes() {
        Self.expectPrefixesUnfinished()
    }

    @Test(arguments: [
        // Request smuggling shapes: two framings, framing that parsers read differently.
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length: +5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 5, 5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 1e3\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length:\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding : chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: gzip, chunked , chunked\r\n\r\n",
        "POST / HTTP/1.0\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n",
        // Line ends and folding.
        "GET / HTTP/1.1\nHost: g\n\n",
        "GET / HTTP/1.1\r\nHost: g\nX: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: g\rX: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: g\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\n\tHost: g\r\n\r\n",
        // Bytes a field may not hold.
        "GET / HTTP/1.1\r\nHost: g\u{0}evil\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: g\r\nX\u{7f}: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: g\r\nX: a\u{7f}b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: g\r\n: empty name\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: g\r\nX-\"quoted\": y\r\n\r\n",
        // The request line.
        "GET /a b HTTP/1.1\r\nHost: g\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: g\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: g\r\n\r\n",
        "GET http://evil.example/ HTTP/1.1\r\nHost: g\r\n\r\n",
        "GET evil HTTP/1.1\r\nHost: g\r\n\r\n",
        "GET /#fragment HTTP/1.1\r\nHost: g\r\n\r\n",
        "GET /a\\b HTTP/1.1\r\nHost: g\r\n\r\n",
        "GET /\u{e9} HTTP/1.1\r\nHost: g\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: g\r\n\r\n",
        "GET / HTTP/1.2\r\nHost: g\r\n\r\n",
        "GET / http/1.1\r\nHost: g\r\n\r\n",
        "get / HTTP/1.1\r\nHost: g\r\n\r\n",
        "CONNECT evil:443 HTTP/1.1\r\nHost: evil:443\r\n\r\n",
        "CONNECT /x HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\n\r\n",
        "\nGET / HTTP/1.1\r\nHost: g\r\n\r\n",
        "\r\rGET / HTTP/1.1\r\nHost: g\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 5\t\r\n\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "BREW / HTTP/1.1\r\nHost: g\r\n\r\n",
    ])
    func smugglingShapesAreRefused(head: String) {
        let outcome = Self.scan(Array(head.utf8))
        guard case .refused = outcome else {
            Issue.record("not refused (\(outcome)): \(head.debugDescription)")
            return
        }
    }

    /// Heads the gateway answers itself (501) rather than forwarding: llhttp passes them on, so
    /// the scanner reads them too, and says that no body can be read after them.
    @Test(arguments: [
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: identity\r\n\r\n",
    ])
    func codingsOtherThanChunkedAreHeadsWithoutABody(head: String) {
        guard case let .head(scanned) = Self.agree(Array(head.utf8)) else {
            Issue.record("not read: \(head.debugDescription)")
            return
        }
        #expect(scanned.fields.otherTransferCoding && !scanned.fields.chunked)
    }

    @Test func aHeadLongerThanTheLimitIsRefusedNotAwaited() {
        let long = Array("GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 200))".utf8)
        let outcome = long.withUnsafeBytes { RequestHeadScanner.scan($0, maxHeadBytes: 128) }
        guard case .refused = outcome else {
            Issue.record("\(outcome)")
            return
        }
    }

    /// Seeded mutations of the real heads (`HeadMutations`): every outcome keeps the rule; enough
    /// are accepted and refused for the check to mean something.
    @Test func mutatedHeadsNeverReadDifferentlyFromLLHTTP() {
        Self.expectMutationsAgree(minimum: 2000)
    }
}
