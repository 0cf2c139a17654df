import NIOCore
import NIOHTTP1

/// Writes request parts to an upstream connection with exactly the framing the head declares,
/// whatever the method: the gateway decides the framing (`RequestFraming`, carried by the
/// `UpstreamRequestHead` and written as its only framing field), this encoder keeps it. NIO's
/// `HTTPRequestEncoder` drops `Content-Length`/`Transfer-Encoding` from a TRACE head while still
/// writing its body, which lets a body become a second request upstream; here a body byte that
/// the head did not announce fails the write and closes the connection instead.
final class UpstreamRequestEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = UpstreamRequestPart
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
            switch head.framing {
            case .none: state = .length(remaining: 0)
            case let .length(count): state = .length(remaining: count)
            case .chunked: state = .chunked
            }
            var buffer = context.channel.allocator.buffer(capacity: head.byteCount)
            head.write(into: &buffer)
            context.write(wrapOutboundOut(buffer), promise: promise)
        case let .body(body):
            writeBody(body, context: context, promise: promise)
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

    static func writeHeaders(_ headers: HTTPHeaders, into buffer: inout ByteBuffer) {
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
    }
}
