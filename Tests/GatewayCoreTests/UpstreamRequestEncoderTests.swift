import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import GatewayCore

/// The upstream request encoder writes exactly the framing the head declares, for every method.
@Suite("upstream request encoder")
struct UpstreamRequestEncoderTests {
    /// Writes `parts` and returns every byte written, or the error that closed the channel.
    static func encode(_ parts: [HTTPClientRequestPart]) throws -> (bytes: String, error: (any Error)?) {
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

    static func head(_ method: HTTPMethod, _ headers: [(String, String)]) -> HTTPClientRequestPart {
        .head(HTTPRequestHead(version: .http1_1, method: method, uri: "/x", headers: HTTPHeaders(headers)))
    }

    static func body(_ text: String) -> HTTPClientRequestPart {
        .body(.byteBuffer(ByteBuffer(string: text)))
    }

    @Test(arguments: [HTTPMethod.TRACE, .GET, .DELETE, .OPTIONS, .POST, .RAW(value: "PROPFIND")])
    func aContentLengthIsKeptForEveryMethod(method: HTTPMethod) throws {
        let (bytes, error) = try Self.encode([Self.head(method, [("host", "u"), ("content-length", "5")]), Self.body("hello"), .end(nil)])
        #expect(error == nil)
        #expect(bytes == "\(method.rawValue) /x HTTP/1.1\r\nhost: u\r\ncontent-length: 5\r\n\r\nhello")
    }

    @Test func chunkedBodiesAreChunkedWithTheirTrailers() throws {
        let (bytes, error) = try Self.encode([
            Self.head(.TRACE, [("transfer-encoding", "chunked")]), Self.body("abc"), Self.body(""), Self.body("defghijklmnopqrs"),
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
        let long = try Self.encode([Self.head(.POST, [("content-length", "2")]), Self.body("abc"), .end(nil)])
        #expect(long.error is UpstreamRequestEncoder.FramingViolation)
        #expect(!long.bytes.contains("abc"))
        let short = try Self.encode([Self.head(.POST, [("content-length", "4")]), Self.body("ab"), .end(nil)])
        #expect(short.error is UpstreamRequestEncoder.FramingViolation)
    }

    @Test(arguments: [
        [("content-length", "1"), ("transfer-encoding", "chunked")],
        [("content-length", "1"), ("content-length", "1")],
        [("transfer-encoding", "gzip, chunked")],
        [("transfer-encoding", "chunked"), ("transfer-encoding", "chunked")],
        [("content-length", "-1")],
    ])
    func headsDeclaringTwoFramingsAreRefused(headers: [(String, String)]) throws {
        let (bytes, error) = try Self.encode([Self.head(.POST, headers), .end(nil)])
        #expect(error is UpstreamRequestEncoder.FramingViolation)
        #expect(bytes.isEmpty)
    }

    @Test func requestsFollowEachOtherOnOneConnection() throws {
        let (bytes, error) = try Self.encode([
            Self.head(.GET, []), .end(nil), Self.head(.POST, [("content-length", "2")]), Self.body("ok"), .end(nil),
        ])
        #expect(error == nil)
        #expect(bytes == "GET /x HTTP/1.1\r\n\r\nPOST /x HTTP/1.1\r\ncontent-length: 2\r\n\r\nok")
    }
}
