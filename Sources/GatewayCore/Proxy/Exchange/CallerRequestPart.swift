import NIOCore
import NIOHTTP1

/// One part of a caller's request as `RequestReader` hands it on: the head as its bytes, body
/// bytes as sliced from the connection's reads, the end with the trailers of a chunked body.
enum CallerRequestPart {
    case head(CallerRequestHead)
    case body(ByteBuffer)
    case end(HTTPHeaders?)
}
