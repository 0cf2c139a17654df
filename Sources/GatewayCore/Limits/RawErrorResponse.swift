import NIOCore
import NIOHTTP1

/// A gateway-made error written as bytes below the HTTP codec, always with `Connection: close`:
/// before a request head exists (timeouts, the connection cap), and for an answer NIO's
/// response encoder would strip of its body (any response to CONNECT).
enum RawErrorResponse {
    static func bytes(
        _ error: ProxyError, format: ErrorResponse.Format = .problem, connector: String? = nil, requestID: String? = nil,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        let (contentType, body) = ErrorResponse.body(error, format: format, connector: connector, requestID: requestID ?? "-")
        let reason = HTTPResponseStatus(statusCode: error.status).reasonPhrase
        var buffer = allocator.buffer(capacity: body.utf8.count + 160)
        buffer.writeString("HTTP/1.1 \(error.status) \(reason)\r\ncontent-type: \(contentType)\r\n")
        if let requestID { buffer.writeString("x-request-id: \(requestID)\r\n") }
        buffer.writeString("content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n")
        buffer.writeString(body)
        return buffer
    }
}
