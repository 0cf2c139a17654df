import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import GatewayCore

/// The upstream request encoder writes the head's one framing field, the gateway's, and holds
/// the body to it, for every method.
@Suite("upstream request encoder")
struct UpstreamRequestEncoderTests {
    /// Writes `parts` and returns every byte written, or the error that closed the channel.
    static func encode(_ parts: [UpstreamRequestPart]) throws -> (bytes: String, error: (any Error)?) {
        let channel = EmbeddedChannel(handler: UpstreamRequestEncoder())
        var failure: (any Error)?
        for part in parts {
            do { try channel.writeAndFlush(part).wait() } catch {
                failure = error
                break
            }
        }
        var bytes = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += String(buffer: buffer) }
        _ = try? channel.finish()
        return (bytes, failure)
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

    @Test func requestsFollowEachOtherOnOneConnection() throws {
        let (bytes, error) = try Self.encode([
            Self.head(.GET, []), .end(nil), Self.head(.POST, [], framing: .length(2)), Self.body("ok"), .end(nil),
        ])
        #expect(error == nil)
        #expect(bytes == "GET /x HTTP/1.1\r\n\r\nPOST /x HTTP/1.1\r\ncontent-length: 2\r\n\r\nok")
    }
}
