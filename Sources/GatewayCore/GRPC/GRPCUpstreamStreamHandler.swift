import NIOCore
import NIOHTTP2

/// The upstream half of one gRPC call: the stream the gateway opened on its upstream
/// connection. Passes what the upstream sends to the call's handler, and reads only while the
/// caller can take more.
final class GRPCUpstreamStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var call: GRPCCallHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var error: (any Error)?

    init(call: GRPCCallHandler) {
        self.call = call
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func write(_ payload: HTTP2Frame.FramePayload) {
        context?.write(wrapOutboundOut(payload), promise: nil)
    }

    func flush() { context?.flush() }

    /// Ends the upstream stream (a reset, when it has not ended on its own); the call no longer listens.
    func close() {
        call = nil
        context?.close(promise: nil)
    }

    /// The caller can take more again.
    func resumeReading() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        call?.fromUpstream(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        call?.flushToCaller()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { call?.upstreamBecameWritable() }
    }

    func read(context: ChannelHandlerContext) {
        if call?.callerIsWritable ?? true { context.read() } else { pendingRead = true }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let call = self.call
        self.call = nil
        call?.upstreamClosed(error: error)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // NIO reports the upstream's RST_STREAM as this error: the caller's stream is reset alike.
        if let reset = error as? NIOHTTP2Errors.StreamClosed {
            call?.upstreamReset(reset.errorCode)
        }
        self.error = error
        context.close(promise: nil)
    }
}
