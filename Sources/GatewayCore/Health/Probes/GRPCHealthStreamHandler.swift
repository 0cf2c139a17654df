import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2

/// One HTTP/2 stream carrying `grpc.health.v1.Health/Check`: sends the request headers and the
/// framed `HealthCheckRequest`, then reads `:status`, the response message and the trailers
/// (or a trailers-only answer).
final class GRPCHealthStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    struct Answer: Sendable {
        var httpStatus: Int
        var grpcStatus: Int?
        var grpcMessage: String?
        var serving: GRPCServingStatus?
        var latency: Double
    }

    struct ClosedBeforeAnswer: Error {}

    private let headers: HPACKHeaders
    private let message: [UInt8]
    private let promise: EventLoopPromise<Answer>
    private var sent = false
    private var sentAt = NIODeadline.now()
    private var httpStatus: Int?
    private var grpcStatus: Int?
    private var grpcMessage: String?
    private var data: [UInt8] = []

    init(target: GRPCProbeTarget, timeout: Double, promise: EventLoopPromise<Answer>) {
        self.headers = Self.requestHeaders(target: target, timeout: timeout)
        self.message = GRPCHealthCodec.request(service: target.service)
        self.promise = promise
    }

    static func requestHeaders(target: GRPCProbeTarget, timeout: Double) -> HPACKHeaders {
        [
            ":method": "POST", ":scheme": target.tlsContext == nil ? "http" : "https",
            ":path": GRPCHealthCodec.path, ":authority": target.authority,
            "content-type": "application/grpc", "te": "trailers",
            "grpc-timeout": "\(max(1, Int(timeout * 1000)))m", "user-agent": HealthCheckRunner.userAgent,
        ]
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { send(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    private func send(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        sentAt = .now()
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        let buffer = context.channel.allocator.buffer(bytes: message)
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: true))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .headers(frame):
            for (name, value, _) in frame.headers {
                switch name {
                case ":status": httpStatus = Int(value)
                case "grpc-status": grpcStatus = Int(value)
                case "grpc-message": grpcMessage = value.removingPercentEncoding ?? value
                default: break
                }
            }
            if frame.endStream { finish(context) }
        case let .data(frame):
            if case var .byteBuffer(buffer) = frame.data, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                self.data += bytes.prefix(max(0, 4096 - self.data.count))
            }
            if frame.endStream { finish(context) }
        case let .rstStream(code):
            promise.fail(ResetByPeer(code: code))
            context.close(promise: nil)
        default:
            break
        }
    }

    struct ResetByPeer: Error, CustomStringConvertible {
        var code: HTTP2ErrorCode
        var description: String { "the server reset the stream (\(code))" }
    }

    private func finish(_ context: ChannelHandlerContext) {
        let latency = Double((NIODeadline.now() - sentAt).nanoseconds) / 1e9
        do {
            let serving = try GRPCHealthCodec.firstMessage(in: data).map(GRPCHealthCodec.servingStatus(fromMessage:))
            promise.succeed(
                Answer(
                    httpStatus: httpStatus ?? 0, grpcStatus: grpcStatus, grpcMessage: grpcMessage,
                    serving: serving, latency: latency))
        } catch {
            promise.fail(error)
        }
        context.close(promise: nil)
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
