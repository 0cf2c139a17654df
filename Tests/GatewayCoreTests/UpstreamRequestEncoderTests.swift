import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import GatewayCore

/// The upstream request encoder writes the head's one framing field, the gateway's, and holds
/// the body to it, for every method.
@Suite("upstream request encoder")
struct UpstreamRequestEncoderTests {
    /// Encodes `parts` and returns every byte written, up to the first refused part, and the
    /// refusal.
    static func encode(_ parts: [UpstreamRequestPart]) throws -> (bytes: String, error: (any Error)?) {
        var encoder = UpstreamRequestEncoder()
        var bytes = ""
        for part in parts {
            do {
                try encoder.encode(part, allocator: ByteBufferAllocator()) { bytes += String(buffer: $0) }
            } catch {
                return (bytes, error)
            }
        }
        return (bytes, nil)
    }

    static func head(
        _ method: HTTPMethod, _ headers: [(String, String)], framing: RequestFraming = .none
    ) -> UpstreamRequestPart {
        var head = UpstreamRequestHead(method: method, uri: "/x", framing: framing)
        for (name, value) in headers { head.add(name, value) }
        return .head(head)
    }

    static func body(_ text: String) -> UpstreamRequestPart {
        .body(ByteBuffer(string: text))
    }

    @Test(arguments: [HTTPMethod.TRACE, .GET, .DELETE, .OPTIONS, .POST, .RAW(value: "PROPFIND")])
    func aContentLengthIsKeptForEveryMethod(method: HTTPMethod) throws {
        let (bytes, error) = try Self.encode([Self.head(method, [("host", "u")], framing: .length(5)), Self.body("hello"), .end(nil)])
        #expect(error == nil)
        #expect(bytes == "\(method.rawValue) /x HTTP/1.1\r\nhost: u\r\ncontent-length: 5\r\n\r\nhello")
    }

    @Test func chunkedBodiesAreChunkedWithTheirTrailers() throws {
        let (bytes, error) = try Self.encode([
            Self.head(.TRACE, [], framing: .chunked), Self.body("abc"), Self.body(""), Self.body("defghijklmnopqrs"),
            .end(HTTPHeaders([("x-sum", "1")])),
        ])
        #expect(error == nil)
        #expect(bytes == "TRACE /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\ndefghijklmnopqrs\r\n0\r\nx-sum: 1\r\n\r\n")
    }

    @Test func aHeadWithoutFramingCarriesNoBodyAndNeverGetsOne() throws {
        let (bytes, error) = try Self.encode([Self.head(.POST, [("host", "u")]), .end(nil)])
        #expect(error == nil)
        #expect(bytes == "POST /x HTTP/1.1\r\nhost: u\r\n\r\n", "no framing header is added")
        let smuggled = try Self.encode([Self.head(.TRACE, [("host", "u")]), Self.body("GET /admin HTTP/1.1\r\n\r\n"), .end(nil)])
        #expect(smuggled.error is UpstreamRequestEncoder.FramingViolation)
        #expect(!smuggled.bytes.contains("/admin"), "an unannounced body byte is never written")
    }

    @Test func bytesBeyondTheLengthAndShortBodiesAreRefused() throws {
        let long = try Self.encode([Self.head(.POST, [], framing: .length(2)), Self.body("abc"), .end(nil)])
        #expect(long.error is UpstreamRequestEncoder.FramingViolation)
        #expect(!long.bytes.contains("abc"))
        let short = try Self.encode([Self.head(.POST, [], framing: .length(4)), Self.body("ab"), .end(nil)])
        #expect(short.error is UpstreamRequestEncoder.FramingViolation)
    }

    @Test func theHeadsFramingIsItsOnlyFramingField() throws {
        // A collected body that was rewritten: the head's framing becomes its new length.
        guard case var .head(head) = Self.head(.POST, [("host", "u")], framing: .chunked) else { return }
        head.framing = .length(2)
        let (bytes, error) = try Self.encode([.head(head), Self.body("ok"), .end(nil)])
        #expect(error == nil)
        #expect(bytes == "POST /x HTTP/1.1\r\nhost: u\r\ncontent-length: 2\r\n\r\nok")
    }

    @Test(arguments: [0, 7, 10, 2048, 1_234_567_890_123, Int.max])
    func theFramingFieldStaysLastWhateverIsAddedAfter(length: Int) throws {
        var head = UpstreamRequestHead(method: .POST, uri: "/x", framing: .length(length))
        head.add("host", "u")
        head.append(capacity: 12) { $0.line("x-a", "1") }
        #expect(String(buffer: head.bytes) == "POST /x HTTP/1.1\r\nhost: u\r\nx-a: 1\r\ncontent-length: \(length)\r\n\r\n")
        head.framing = .chunked
        #expect(String(buffer: head.bytes) == "POST /x HTTP/1.1\r\nhost: u\r\nx-a: 1\r\ntransfer-encoding: chunked\r\n\r\n")
        head.framing = .none
        head.add("x-b", "2")
        #expect(String(buffer: head.bytes) == "POST /x HTTP/1.1\r\nhost: u\r\nx-a: 1\r\nx-b: 2\r\n\r\n")
    }

    @Test func theTraceContextIsReplacedInPlace() throws {
        guard
            case var .head(head) = Self.head(
                .GET, [("Traceparent", "00-caller"), ("x-a", "1"), ("tracestate", "c=1"), ("x-b", "2")])
        else { return }
        head.remove(["traceparent", "tracestate"])
        head.add("traceparent", "00-gateway")
        let (bytes, _) = try Self.encode([.head(head), .end(nil)])
        #expect(bytes == "GET /x HTTP/1.1\r\nx-a: 1\r\nx-b: 2\r\ntraceparent: 00-gateway\r\n\r\n")
    }

    /// On the connection, a refused part closes it: nothing after the refusal goes out.
    @Test func theUpstreamHandlerClosesTheConnectionOnARefusedPart() throws {
        let handler = UpstreamHandler()
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()
        handler.write(Self.head(.TRACE, [("host", "u")]))
        handler.flush()
        #expect(channel.isActive)
        handler.write(Self.body("GET /admin HTTP/1.1\r\n\r\n"))
        handler.flush()
        var bytes = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += String(buffer: buffer) }
        #expect(bytes == "TRACE /x HTTP/1.1\r\nhost: u\r\n\r\n", "the head, and not a byte of the body")
        #expect(!channel.isActive, "the connection is closed")
    }

    @Test func requestsFollowEachOtherOnOneConnection() throws {
        let (bytes, error) = try Self.encode([
            Self.head(.GET, []), .end(nil), Self.head(.POST, [], framing: .length(2)), Self.body("ok"), .end(nil),
        ])
        #expect(error == nil)
        #expect(bytes == "GET /x HTTP/1.1\r\n\r\nPOST /x HTTP/1.1\r\ncontent-length: 2\r\n\r\nok")
    }

    /// A head written into an earlier head's buffer takes its memory only when nothing else
    /// refers to it, and never changes the bytes of a head still in use.
    @Test func anEarlierHeadsBufferIsWrittenIntoOnlyWhenNoOneElseHoldsIt() {
        var spare: ByteBuffer? = UpstreamRequestHead(method: .GET, uri: "/first/request/target", framing: .none).bytes
        let address = spare?.withUnsafeReadableBytes { $0.baseAddress }
        let second = UpstreamRequestHead(method: .POST, path: "/b", remainder: "?q", framing: .length(2), reusing: consume spare)
        #expect(second.bytes.withUnsafeReadableBytes { $0.baseAddress } == address)
        #expect(String(buffer: second.bytes) == "POST /b?q HTTP/1.1\r\ncontent-length: 2\r\n\r\n")
        let third = UpstreamRequestHead(method: .GET, path: "/c", remainder: "", framing: .none, reusing: second.bytes)
        #expect(String(buffer: second.bytes) == "POST /b?q HTTP/1.1\r\ncontent-length: 2\r\n\r\n", "the head in use is left as it was")
        #expect(String(buffer: third.bytes) == "GET /c HTTP/1.1\r\n\r\n")
    }
}
