import NIOCore
import NIOHTTP1

/// Writes request parts to an upstream connection with exactly the framing the head declares,
/// whatever the method: the gateway decides the framing (`RequestFraming`), this encoder keeps
/// it. NIO's `HTTPRequestEncoder` drops `Content-Length`/`Transfer-Encoding` from a TRACE head
/// while still writing its body, which lets a body become a second request upstream; here a
/// body byte that the head did not announce fails the write and closes the connection instead.
final class UpstreamRequestEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    struct FramingViolation: Error, CustomStringConvertible {
        var description: String
    }

    enum State: Equatable {
        case idle
        case length(remaining: Int)
        case chunked
    }

    private var state = State.idle

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case let .head(head):
            guard case .idle = state else { return fail(context, promise, "a request head before the previous request ended") }
            let framing: State
            switch Self.framing(of: head.headers) {
            case let .success(declared): framing = declared
            case let .failure(violation): return fail(context, promise, violation.description)
            }
            state = framing
            var buffer = context.channel.allocator.buffer(capacity: Self.estimatedSize(head))
            Self.writeHead(head, into: &buffer)
            context.write(wrapOutboundOut(buffer), promise: promise)
        case let .body(.byteBuffer(body)):
            writeBody(body, context: context, promise: promise)
        case .body(.fileRegion):
            fail(context, promise, "a file region (never sent upstream)")
        case let .end(trailers):
            switch state {
            case .idle:
                fail(context, promise, "a request end without a head")
            case let .length(remaining):
                guard remaining == 0 else {
                    return fail(context, promise, "the request ended \(remaining) bytes short of its Content-Length")
                }
                state = .idle
                if let promise { context.write(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise) }
            case .chunked:
                state = .idle
                var buffer = context.channel.allocator.buffer(capacity: 5)
                buffer.writeStaticString("0\r\n")
                if let trailers { Self.writeHeaders(trailers, into: &buffer) }
                buffer.writeStaticString("\r\n")
                context.write(wrapOutboundOut(buffer), promise: promise)
            }
        }
    }

    private func writeBody(_ body: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let count = body.readableBytes
        switch state {
        case .idle:
            fail(context, promise, "body bytes outside a request")
        case let .length(remaining):
            guard count <= remaining else {
                return fail(context, promise, "\(count - remaining) body bytes beyond the request's Content-Length")
            }
            state = .length(remaining: remaining - count)
            context.write(wrapOutboundOut(body), promise: promise)
        case .chunked:
            guard count > 0 else {
                promise?.succeed()
                return
            }
            var prefix = context.channel.allocator.buffer(capacity: 12)
            prefix.writeString(String(count, radix: 16))
            prefix.writeStaticString("\r\n")
            context.write(wrapOutboundOut(prefix), promise: nil)
            context.write(wrapOutboundOut(body), promise: nil)
            var suffix = context.channel.allocator.buffer(capacity: 2)
            suffix.writeStaticString("\r\n")
            context.write(wrapOutboundOut(suffix), promise: promise)
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ promise: EventLoopPromise<Void>?, _ reason: String) {
        let error = FramingViolation(description: "refused to write an ill-framed upstream request: \(reason)")
        promise?.fail(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    /// The framing a head declares; a head that declares two, or a length that is no length,
    /// is refused.
    static func framing(of headers: HTTPHeaders) -> Result<State, FramingViolation> {
        var length: Int?
        var chunked = false
        for (name, value) in headers {
            if HeaderName.equals(name, "content-length") {
                guard length == nil, let count = Int(value), count >= 0 else {
                    return .failure(FramingViolation(description: "a Content-Length that is repeated or not a length"))
                }
                length = count
            } else if HeaderName.equals(name, "transfer-encoding") {
                guard !chunked, HeaderName.equals(value, "chunked") else {
                    return .failure(FramingViolation(description: "a Transfer-Encoding other than one 'chunked'"))
                }
                chunked = true
            }
        }
        switch (length, chunked) {
        case (nil, false): return .success(.length(remaining: 0))
        case let (count?, false): return .success(.length(remaining: count))
        case (nil, true): return .success(.chunked)
        case (_?, true): return .failure(FramingViolation(description: "both Content-Length and Transfer-Encoding"))
        }
    }

    static func estimatedSize(_ head: HTTPRequestHead) -> Int {
        var size = head.method.rawValue.utf8.count + head.uri.utf8.count + 16
        for (name, value) in head.headers { size += name.utf8.count + value.utf8.count + 4 }
        return size
    }

    static func writeHead(_ head: HTTPRequestHead, into buffer: inout ByteBuffer) {
        // NIO spells the parsed `M-SEARCH` method `MSEARCH`; write it as the caller sent it.
        buffer.writeString(head.method == .MSEARCH ? "M-SEARCH" : head.method.rawValue)
        buffer.writeStaticString(" ")
        buffer.writeString(head.uri)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        writeHeaders(head.headers, into: &buffer)
        buffer.writeStaticString("\r\n")
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
