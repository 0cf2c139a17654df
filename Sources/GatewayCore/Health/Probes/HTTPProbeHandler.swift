import NIOCore
import NIOHTTP1

/// Sends one GET and collects the answer: status, the first bytes of the body, and the time
/// from the request being written to the response's end.
final class HTTPProbeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]
        var latency: Double
    }

    struct ClosedBeforeAnswer: Error {}

    static let bodyLimit = 512

    private let head: HTTPRequestHead
    private let promise: EventLoopPromise<Answer>
    private var status: Int?
    private var body: [UInt8] = []
    private var sentAt = NIODeadline.now()

    init(head: HTTPRequestHead, promise: EventLoopPromise<Answer>) {
        self.head = head
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        sentAt = .now()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(response):
            // 1xx are interim; the real answer follows.
            if response.status.code >= 200 { status = Int(response.status.code) }
        case var .body(buffer):
            let room = Self.bodyLimit - body.count
            if room > 0, let bytes = buffer.readBytes(length: min(room, buffer.readableBytes)) { body += bytes }
        case .end:
            guard let status else { return }
            let latency = Double((NIODeadline.now() - sentAt).nanoseconds) / 1e9
            promise.succeed(Answer(status: status, body: body, latency: latency))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ClosedBeforeAnswer())
        context.fireChannelInactive()
    }
}
