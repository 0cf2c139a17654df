import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP listener. In this build it serves the control routes (`/livez`, `/readyz`) and
/// answers machine routes with a precise problem document; forwarding comes with the data path.
public final class ControlServer: Sendable {
    let router: ControlRouter
    let group: MultiThreadedEventLoopGroup
    let logger: Logger

    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.router = ControlRouter(configuration: configuration)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.logger = logger
    }

    /// Binds the listener and returns the bound address (useful with port 0).
    public func start(host: String, port: Int) async throws -> (Channel, SocketAddress) {
        let router = self.router
        let logger = self.logger
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(ControlHandler(router: router, logger: logger))
                }
            }
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port).get()
        guard let address = channel.localAddress else { throw ChannelError.unknownLocalAddress }
        return (channel, address)
    }

    public func shutdown() async throws {
        try await group.shutdownGracefully()
    }
}

final class ControlHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: ControlRouter
    let logger: Logger

    init(router: ControlRouter, logger: Logger) {
        self.router = router
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case let .head(head) = unwrapInboundIn(data) else { return }
        let requestID = head.headers.first(name: "x-request-id") ?? UUID().uuidString.lowercased()
        let response = router.respond(method: head.method.rawValue, uri: head.uri, requestID: requestID)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: String(response.body.utf8.count))
        headers.add(name: "x-request-id", value: requestID)
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
        logger.debug("request", metadata: [
            "gateway.request_id": "\(requestID)", "http.method": "\(head.method.rawValue)",
            "http.path": "\(head.uri.split(separator: "?").first ?? "")", "http.status": "\(response.status)",
        ])
    }
}
