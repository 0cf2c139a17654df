import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import GatewayCore

/// `RequestReader` against NIO's `HTTPRequestDecoder` (llhttp): for the same bytes, whole or split
/// at every byte, the reader hands on the same parts (heads, body bytes, ends and trailers), so
/// the connection's state machine cannot tell them apart; where llhttp stops reading HTTP
/// (CONNECT, an upgrade), the reader keeps the rest for the tunnel.
@Suite("request reader")
struct RequestReaderTests {
    /// The parts as text, adjacent body parts merged (how bytes were split does not matter).
    static func describe(_ parts: [HTTPServerRequestPart]) -> [String] {
        var out: [String] = []
        for part in parts {
            switch part {
            case let .head(head):
                let method = head.method == .MSEARCH ? "M-SEARCH" : head.method.rawValue
                out.append("head \(method) \(head.uri) 1.\(head.version.minor) \(head.headers.map { "\($0.name)=\($0.value)" })")
            case let .body(body):
                if let last = out.last, last.hasPrefix("body ") {
                    out[out.count - 1] = last + String(buffer: body)
                } else {
                    out.append("body " + String(buffer: body))
                }
            case let .end(trailers):
                out.append("end \(trailers.map { $0.map { "\($0.name)=\($0.value)" } } ?? [])")
            }
        }
        return out
    }

    static func nio(_ text: String) -> (parts: [String], failed: Bool) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
        defer { _ = try? channel.finish() }
        var failed = false
        do { try channel.writeInbound(ByteBuffer(string: text)) } catch { failed = true }
        var parts: [HTTPServerRequestPart] = []
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        return (describe(parts), failed)
    }

    /// The reader's parts for `text` given in reads cut at `cuts`, whether it refused, and what
    /// it kept for a tunnel.
    static func read(_ text: String, cuts: [Int] = []) -> (parts: [String], refused: Bool, leftover: String?) {
        var reader = RequestReader()
        let bytes = Array(text.utf8)
        var parts: [HTTPServerRequestPart] = []
        var refused = false
        var start = 0
        for end in cuts + [bytes.count] where end > start {
            reader.received(ByteBuffer(bytes: bytes[start..<end]))
            start = end
            while let event = reader.next() {
                switch event {
                case let .part(.head(head)): parts.append(.head(head.httpRequestHead))
                case let .part(.body(body)): parts.append(.body(body))
                case let .part(.end(trailers)): parts.append(.end(trailers))
                case .refused, .tooLarge: refused = true
                }
            }
        }
        return (describe(parts), refused, reader.takeLeftover().map { String(buffer: $0) })
    }

    static let streams: [String] = [
        "GET /executor/a/x?q=1 HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer t\r\n\r\n",
        "POST /scim/v2/Users HTTP/1.1\r\nHost: g\r\nContent-Length: 11\r\n\r\nhello world",
        "PUT /up HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\nX-B: two\r\n\r\n",
        "GET /one HTTP/1.1\r\nHost: g\r\n\r\nPOST /two HTTP/1.1\r\nHost: g\r\nContent-Length: 3\r\n\r\nabcDELETE /three HTTP/1.0\r\n\r\n",
        "M-SEARCH * HTTP/1.1\r\nHost: g\r\n\r\n\r\nPROPFIND /d HTTP/1.1\r\nHost: g\r\nContent-Length: 2 \r\n\r\nab",
        "POST /c HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ]

    @Test(arguments: streams)
    func partsAreNIOsWholeAndSplitAtEveryByte(stream: String) {
        let expected = Self.nio(stream)
        #expect(!expected.failed, "NIO refused a stream meant to be read: \(stream.debugDescription)")
        let whole = Self.read(stream)
        #expect(whole.parts == expected.parts && !whole.refused)
        for cut in 1..<stream.utf8.count {
            #expect(Self.read(stream, cuts: [cut]).parts == expected.parts, "cut at \(cut)")
        }
        #expect(Self.read(stream, cuts: Array(1..<stream.utf8.count)).parts == expected.parts, "byte by byte")
    }

    @Test func afterAnUpgradeNothingIsReadAsHTTPAndTheRestIsKept() {
        let handshake = "GET /ws HTTP/1.1\r\nHost: g\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n"
        let frames = "\u{81}\u{02}hiGET /not-http-any-more HTTP/1.1\r\n\r\n"
        let read = Self.read(handshake + frames, cuts: [10, handshake.utf8.count + 3])
        #expect(read.parts == Self.nio(handshake).parts)
        #expect(read.parts.last?.hasPrefix("end") == true && !read.refused)
        #expect(read.leftover == frames)
    }

    @Test func anUpgradeWithABodyIsReadToItsEndFirst() {
        let request = "POST /ws HTTP/1.1\r\nHost: g\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 3\r\n\r\nabc"
        let read = Self.read(request + "rest")
        #expect(read.parts == Self.nio(request).parts)
        #expect(read.leftover == "rest")
    }

    @Test func afterAConnectTheBytesBelongToATunnel() {
        let connect = "CONNECT /executor/a/x HTTP/1.1\r\nHost: g\r\n\r\n"
        let read = Self.read(connect + "\u{16}\u{03}\u{01}")
        #expect(read.parts == Self.nio(connect).parts)
        #expect(read.leftover == "\u{16}\u{03}\u{01}")
    }

    @Test func aCodingOtherThanChunkedIsAHeadAndNothingAfterIt() {
        let request = "POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n"
        let read = Self.read(request)
        #expect(read.parts.count == 1 && read.parts[0].hasPrefix("head POST /x"), "\(read.parts)")
        #expect(Self.nio(request).parts.first == read.parts.first)
        #expect(!read.refused)
    }

    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost: g\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n5;ext\r\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: g\r\n\r\nGET /a b HTTP/1.1\r\n\r\n",
        "BREW /pot HTTP/1.1\r\nHost: g\r\n\r\n",
    ])
    func bytesThatAreNoRequestAreRefused(stream: String) {
        let read = Self.read(stream)
        #expect(read.refused, "\(read.parts)")
    }

    /// The fields of a head are written into the array of the head before it once that head is
    /// gone (no allocation per request), and into a new one while it is still held.
    @Test func aHeadsFieldArrayIsReusedOnceThePreviousHeadIsGone() throws {
        func nextHead(_ reader: inout RequestReader) -> CallerRequestHead? {
            while let event = reader.next() {
                if case let .part(.head(head)) = event { return head }
            }
            return nil
        }
        func storage(_ head: CallerRequestHead) -> UnsafeRawPointer? {
            head.scanned.fields.lines.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        let request = "GET /a HTTP/1.1\r\nHost: g\r\nX-A: 1\r\n\r\n"
        var reader = RequestReader()
        reader.received(ByteBuffer(string: request + request + request))
        var first = nextHead(&reader)
        let firstStorage = first.flatMap(storage)
        first = nil
        let second = try #require(nextHead(&reader))
        #expect(storage(second) == firstStorage, "the first head was gone: its array is written again")
        let third = try #require(nextHead(&reader))
        #expect(storage(third) != storage(second), "the second head is still held: a new array")
        #expect(third.headers.map(\.name) == ["Host", "X-A"] && second.headers.map(\.name) == ["Host", "X-A"])
    }
}
