import NIOCore
import NIOEmbedded
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayCore

/// `ChunkedBodyScanner` against llhttp, through NIO's `HTTPRequestDecoder`: every body the
/// scanner reads to its end, NIO reads the same (the data, the trailers, and the end at the same
/// byte: a request written after it is read intact), whether the bytes arrive at once or in
/// pieces; the shapes parsers disagree on are refused; seeded mutations keep both true.
@Suite("chunked body scanner")
struct ChunkedBodyScannerTests: ScannerDifferential {
    struct Body: Equatable {
        var data: [UInt8]
        var trailers: [String]
        var consumed: Int
    }

    typealias Reading = LLHTTPOutcome<Body>

    /// The scanner over `bytes` arriving in pieces that end at `splits`, as a connection would
    /// feed it: what is not consumed waits for the next piece.
    static func scan(_ bytes: [UInt8], splits: [Int] = []) -> Reading {
        var scanner = ChunkedBodyScanner()
        var pending: [UInt8] = []
        var consumedBefore = 0
        var data: [UInt8] = []
        var start = 0
        for end in splits.filter({ $0 > 0 && $0 < bytes.count }).sorted() + [bytes.count] {
            pending += bytes[start..<max(start, end)]
            start = max(start, end)
            while true {
                let step = pending.withUnsafeBytes { scanner.next($0) }
                switch step {
                case let .data(range):
                    data += pending[range]
                    pending.removeFirst(range.upperBound)
                    consumedBefore += range.upperBound
                case let .needMoreBytes(consumed):
                    pending.removeFirst(consumed)
                    consumedBefore += consumed
                case let .end(consumed, trailersStart, trailers):
                    let text = { (range: Range<Int>) in
                        String(decoding: pending[(trailersStart + range.lowerBound)..<(trailersStart + range.upperBound)], as: UTF8.self)
                    }
                    let fields = trailers?.lines.map { "\(text($0.name)): \(text($0.value))" } ?? []
                    return .read(Body(data: data, trailers: fields, consumed: consumedBefore + consumed))
                case .refused:
                    return .refused
                }
                if case .needMoreBytes = step { break }
            }
        }
        return .unfinished
    }

    static let head = Array("POST /executor/up/upload HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
    static let next = Array("GET /next HTTP/1.1\r\nHost: g\r\n\r\n".utf8)

    /// What NIO reads from a chunked request with `body`, followed by a second request.
    static func nio(_ body: [UInt8]) -> Reading {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
        defer { _ = try? channel.finish() }
        var buffer = channel.allocator.buffer(capacity: 256)
        buffer.writeBytes(head + body + next)
        do { try channel.writeInbound(buffer) } catch { return .refused }
        var parts: [HTTPServerRequestPart] = []
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        var data: [UInt8] = []
        var trailers: [String]?
        var heads: [String] = []
        var ends = 0
        for part in parts {
            switch part {
            case let .head(head): heads.append(head.uri)
            case var .body(chunk) where ends == 0: data += chunk.readBytes(length: chunk.readableBytes) ?? []
            case .body: return .refused
            case let .end(fields):
                if ends == 0 { trailers = fields.map { $0.map { "\($0.name): \($0.value)" } } ?? [] }
                ends += 1
            }
        }
        // The second request read intact means the first ended exactly where the body did.
        guard let trailers, heads == ["/executor/up/upload", "/next"], ends == 2 else { return .unfinished }
        return .read(Body(data: data, trailers: trailers, consumed: body.count))
    }

    /// The rule for `bytes`: a body the scanner reads to its end, NIO reads the same, and the
    /// scanner reads the same again when the bytes arrive in pieces.
    @discardableResult
    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Reading {
        let whole = scan(bytes)
        guard case let .read(body) = whole else { return whole }
        let consumed = body.consumed
        let shown = String(decoding: bytes, as: UTF8.self).debugDescription
        #expect(nio(Array(bytes[..<consumed])) == whole, "accepted \(shown)", sourceLocation: sourceLocation)
        // Three split points, the same for the same bytes on every run.
        var random = SplitMix64(seed: bytes.reduce(UInt64(bytes.count)) { $0 &* 31 &+ UInt64($1) })
        let splits = (0..<3).map { _ in Int(random.next() % UInt64(bytes.count + 1)) }
        #expect(scan(bytes, splits: splits) == whole, "in pieces at \(splits): \(shown)", sourceLocation: sourceLocation)
        return whole
    }

    static let seeds: [String] = [
        "5\r\nhello\r\n0\r\n\r\n",
        "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\n{}\n\r\n0\r\nX-Checksum: abc\r\nX-Empty:\r\n\r\n",
        "0\r\n\r\n",
        "a\r\n0123456789\r\nF\r\n0123456789abcde\r\n000\r\n\r\n",
    ]

    static func verdict(_ bytes: [UInt8]) -> HeadMutations.Verdict { agree(bytes).verdict }

    @Test func realBodiesReadTheSameAsLLHTTP() {
        Self.expectSeedsAccepted()
        for seed in Self.seeds {
            guard case let .read(body) = Self.scan(Array(seed.utf8)) else { continue }
            #expect(body.consumed == seed.utf8.count)
        }
        #expect(
            Self.scan(Array(Self.seeds[1].utf8))
                == .read(
                    Body(
                        data: Array("abcdefghijklmnopqrstuvwxyz{}\n".utf8), trailers: ["X-Checksum: abc", "X-Empty: "],
                        consumed: Self.seeds[1].utf8.count)))
    }

    @Test func everyPrefixOfABodyIsUnfinished() {
        Self.expectPrefixesUnfinished()
    }

    @Test(arguments: [
        "5;ext=1\r\nhello\r\n0\r\n\r\n",
        "5 \r\nhello\r\n0\r\n\r\n",
        " 5\r\nhello\r\n0\r\n\r\n",
        "+5\r\nhello\r\n0\r\n\r\n",
        "0x5\r\nhello\r\n0\r\n\r\n",
        "-1\r\nhello\r\n0\r\n\r\n",
        "5\nhello\n0\n\n",
        "5\r\nhello0\r\n\r\n",
        "5\r\nhello\n0\r\n\r\n",
        "10000000000000000\r\n",
        "\r\n5\r\nhello\r\n0\r\n\r\n",
        "0\r\nContent-Length: 5\r\n\r\n",
        "0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "0\r\n folded: x\r\n\r\n",
        "0\r\nX: a\rb\r\n\r\n",
    ])
    func shapesParsersDisagreeOnAreRefused(body: String) {
        let reading = Self.scan(Array(body.utf8))
        #expect(reading == .refused, "\(body.debugDescription) read as \(reading)")
    }

    @Test func mutatedBodiesNeverReadDifferentlyFromLLHTTP() {
        Self.expectMutationsAgree(minimum: 1000)
    }
}
