import NIOCore
import NIOHTTP1

/// What the exchange writes on an upstream connection, in order: a head, its body's bytes
/// (`UpstreamRequestEncoder` frames them as the head declares), the end with the trailers kept.
enum UpstreamRequestPart {
    case head(UpstreamRequestHead)
    case body(ByteBuffer)
    case end(HTTPHeaders?)
}
