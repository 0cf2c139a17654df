import NIOCore
import Testing

@testable import GatewayCore

/// `ResponseReader` as a value: upstream bytes in, the answer's events out, whole or in pieces.
@Suite("response reader")
struct ResponseReaderTests {
    /// The events of `answers` read after a request, the bytes given in `pieces` reads,
    /// described as text (`head 200`, `body <bytes>`, `end reusable`).
    static func read(
        _ answer: String, isHEAD: Bool = false, delivery: ResponseReader.BodyDelivery = .framed, splitAt cuts: [Int] = [],
        closeAfter: Bool = false
    ) -> [String] {
        var reader = ResponseReader()
        reader.requestSent(isHEAD: isHEAD)
        let bytes = Array(answer.utf8)
        var events: [String] = []
        var start = 0
        for end in cuts + [bytes.count] where end > start {
            reader.received(ByteBuffer(bytes: bytes[start..<end]))
            start = end
            while let event = reader.next() {
                events.append(describe(event))
                if case .head = event { reader.deliverChunkedBody(delivery) }
            }
        }
        if closeAfter, let event = reader.closed() { events.append(describe(event)) }
        return merged(events)
    }

    static func describe(_ event: ResponseReader.Event) -> String {
        switch event {
        case let .head(head): "head \(head.status)"
        case let .body(buffer): "body \(String(buffer: buffer))"
        case let .end(reusable): reusable ? "end reusable" : "end"
        case let .refused(reason): "refused \(reason)"
        }
    }

    /// Adjacent body events as one: how the bytes were split does not matter to the caller.
    static func merged(_ events: [String]) -> [String] {
        var out: [String] = []
        for event in events {
            if event.hasPrefix("body "), let last = out.last, last.hasPrefix("body ") {
                out[out.count - 1] = last + event.dropFirst(5)
            } else {
                out.append(event)
            }
        }
        return out
    }

    static let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: 1\r\n\r\n"

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", ["head 200", "body hello", "end reusable"]),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", ["head 200", "end reusable"]),
        ("HTTP/1.1 204 No Content\r\n\r\n", ["head 204", "end reusable"]),
        ("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", ["head 304", "end reusable"]),
        (
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
            ["head 201", "body ok", "end reusable"]
        ),
        (chunked, ["head 200", "body 5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: 1\r\n\r\n", "end reusable"]),
    ])
    func answersEndWhereTheirFramingSays(answer: String, expected: [String]) {
        #expect(Self.read(answer) == expected)
    }

    @Test func everySplitOfAnAnswerReadsTheSame() {
        for answer in ["HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", Self.chunked] {
            let whole = Self.read(answer)
            for cut in 1..<answer.utf8.count {
                #expect(Self.read(answer, splitAt: [cut]) == whole, "split at \(cut)")
            }
            #expect(Self.read(answer, splitAt: Array(1..<answer.utf8.count)) == whole, "byte by byte")
        }
    }

    @Test func aChunkedBodyCanBeReadAsItsDataAlone() {
        #expect(Self.read(Self.chunked, delivery: .data) == ["head 200", "body hello world", "end reusable"])
        #expect(
            Self.read(Self.chunked, delivery: .data, splitAt: Array(1..<Self.chunked.utf8.count))
                == ["head 200", "body hello world", "end reusable"])
    }

    @Test func theAnswerToAHEADHasNoBodyWhateverItsHeadSays() {
        #expect(Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", isHEAD: true) == ["head 200", "end reusable"])
        #expect(Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", isHEAD: true) == ["head 200", "end reusable"])
    }

    @Test func aBodyWithoutFramingEndsWithTheConnection() {
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it"
        #expect(Self.read(answer, splitAt: [40], closeAfter: true) == ["head 200", "body all of it", "end"])
        #expect(Self.read(answer) == ["head 200", "body all of it"], "no end until the close")
    }

    @Test func bytesAfterTheAnswerMakeItsConnectionUnusable() {
        let events = Self.read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno")
        #expect(events.prefix(3) == ["head 200", "body ok", "end"])
        #expect(events.last?.hasPrefix("refused bytes when no request") == true, "\(events)")
    }

    @Test func bytesNoRequestAskedForAreRefused() {
        var reader = ResponseReader()
        reader.received(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
        guard case .refused? = reader.next() else {
            Issue.record("an answer nobody asked for was read")
            return
        }
        #expect(reader.next().map(Self.describe) == nil, "nothing after a refusal")
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXY0\r\n\r\n",
        "HTTP/2 200\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
    ])
    func malformedAnswersAreRefused(answer: String) {
        let events = Self.read(answer)
        #expect(events.last?.hasPrefix("refused ") == true, "\(events)")
    }

    @Test func after101TheBytesBelongToTheTunnel() {
        var reader = ResponseReader()
        reader.requestSent(isHEAD: false)
        reader.received(ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u{81}\u{02}hi"))
        #expect(reader.next().map(Self.describe) == "head 101")
        #expect(reader.next().map(Self.describe) == "end")
        #expect(reader.next().map(Self.describe) == nil)
        reader.received(ByteBuffer(string: "more"))
        #expect(reader.next().map(Self.describe) == nil, "not read as HTTP")
        #expect(reader.takeLeftover().map { String(buffer: $0) } == "\u{81}\u{02}himore")
    }
}
