import NIOCore
import NIOHTTP1

/// Frames request parts for an upstream connection with exactly the framing the head declares,
/// whatever the method: the gateway decides the framing (`RequestFraming`, carried by the
/// `UpstreamRequestHead` and written as its only framing field), this encoder keeps it. NIO's
/// `HTTPRequestEncoder` drops `Content-Length`/`Transfer-Encoding` from a TRACE head while still
/// writing its body, which lets a body become a second request upstream; here a body byte that
/// the head did not announce is refused (and `UpstreamHandler` closes the connection) instead.
///
/// A value kept by `UpstreamHandler`, which writes the bytes itself: one pipeline step less per
/// write than a handler of its own.
struct UpstreamRequestEncoder {
    struct FramingViolation: Error, CustomStringConvertible {
        var description: String
    }

    enum State: Equatable {
        case idle
        case length(remaining: Int)
        case chunked

        /// Body bytes still due under a `Content-Length` (0 otherwise).
        var remaining: Int {
            if case let .length(remaining) = self { return remaining }
            return 0
        }
    }

    private(set) var state = State.idle

    /// Hands `write` the bytes that carry `part`, in order; a part that breaks the framing
    /// throws before any of its bytes are handed on.
    /// `allocator` is asked only for the framing bytes the encoder writes itself (chunk lines).
    mutating func encode(
        _ part: UpstreamRequestPart, allocator: @autoclosure () -> ByteBufferAllocator, write: (ByteBuffer) -> Void
    ) throws(FramingViolation) {
        switch part {
        case let .head(head):
            guard case .idle = state else { throw Self.violation("a request head before the previous request ended") }
            switch head.framing {
            case .none: state = .length(remaining: 0)
            case let .length(count): state = .length(remaining: count)
            case .chunked: state = .chunked
            }
            write(head.bytes)
        case let .body(body):
            try encodeBody(body, allocator: allocator(), write: write)
        case let .end(trailers):
            switch state {
            case .idle:
                throw Self.violation("a request end without a head")
            case let .length(remaining):
                guard remaining == 0 else { throw Self.violation("the request ended \(remaining) bytes short of its Content-Length") }
                state = .idle
            case .chunked:
                state = .idle
                var buffer = allocator().buffer(capacity: 5)
                buffer.writeStaticString("0\r\n")
                if let trailers { Self.writeHeaders(trailers, into: &buffer) }
                buffer.writeStaticString("\r\n")
                write(buffer)
            }
        }
    }

    private mutating func encodeBody(
        _ body: ByteBuffer, allocator: @autoclosure () -> ByteBufferAllocator, write: (ByteBuffer) -> Void
    ) throws(FramingViolation) {
        let count = body.readableBytes
        switch state {
        case .idle:
            throw Self.violation("body bytes outside a request")
        case let .length(remaining):
            guard count <= remaining else { throw Self.violation("\(count - remaining) body bytes beyond the request's Content-Length") }
            state = .length(remaining: remaining - count)
            write(body)
        case .chunked:
            guard count > 0 else { return }
            let allocator = allocator()
            var prefix = allocator.buffer(capacity: 12)
            prefix.writeString(String(count, radix: 16))
            prefix.writeStaticString("\r\n")
            write(prefix)
            write(body)
            var suffix = allocator.buffer(capacity: 2)
            suffix.writeStaticString("\r\n")
            write(suffix)
        }
    }

    private static func violation(_ reason: String) -> FramingViolation {
        FramingViolation(description: "refused to write an ill-framed upstream request: \(reason)")
    }

    static func writeHeaders(_ headers: HTTPHeaders, into buffer: inout ByteBuffer) {
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
    }
}
