import NIOCore
import NIOHTTP1

/// Turns an exchange whose upstream answered a WebSocket handshake with 101 into a tunnel:
/// the HTTP handlers leave both pipelines and the two connections are glued, bytes relayed
/// both ways with back-pressure (the TCP pass-through's `GlueHandler`). Bytes either side sent
/// after the handshake, already read by an HTTP reader, are passed on when its handler is removed.
enum WebSocketTunnel {
    /// `caller` is the caller pipeline's `ProxyHandler` context; the 101 was written to it.
    static func open(caller: ChannelHandlerContext, upstream: any Channel, monitor: TunnelMonitor) throws {
        let callerChannel = caller.channel
        let (callerGlue, upstreamGlue) = GlueHandler.matchedPair()
        // Until both HTTP decoders have left (each passes on the bytes it holds on a later turn
        // of the loop), a write would go through the other side's decoder: the glue keeps them.
        callerGlue.holdWrites()
        upstreamGlue.holdWrites()
        // One read per readiness event: the glue stops reading when the other side cannot take
        // more, but only between reads, so memory per tunnel is bounded by one read plus the
        // other side's high watermark (a burst of reads could queue a megabyte per direction).
        for channel in [callerChannel, upstream] {
            try channel.syncOptions?.setOption(.maxMessagesPerRead, value: 1)
        }
        let callerPipeline = caller.pipeline.syncOperations
        let upstreamPipeline = upstream.pipeline.syncOperations
        // Silence both ways closes the caller's side (and the glue the other); bytes counted.
        try callerPipeline.addHandler(monitor)
        try callerPipeline.addHandler(callerGlue)
        try upstreamPipeline.addHandler(upstreamGlue)

        // The caller's side: the handler passes on the bytes its reader holds to the glue.
        let callerReader = caller.eventLoop.makePromise(of: Void.self)
        callerPipeline.removeHandler(context: caller, promise: callerReader)
        _ = remove(HTTPResponseEncoder.self, from: callerPipeline)
        // The upstream's handler reads the answers: it passes on what followed the 101.
        let upstreamDecoder = remove(UpstreamHandler.self, from: upstreamPipeline)
        callerReader.futureResult.and(upstreamDecoder).whenComplete { _ in
            callerGlue.releaseHeld()
            upstreamGlue.releaseHeld()
            // Reads a removed handler held back go ahead now (the glue holds them while the
            // other side cannot take more).
            callerChannel.read()
            upstream.read()
        }
    }

    /// Removes the handler of `type`; the future completes when it has left.
    private static func remove<Handler: RemovableChannelHandler>(
        _ type: Handler.Type, from pipeline: ChannelPipeline.SynchronousOperations
    ) -> EventLoopFuture<Void> {
        guard let context = try? pipeline.context(handlerType: type) else {
            return pipeline.eventLoop.makeSucceededVoidFuture()
        }
        let removed = context.eventLoop.makePromise(of: Void.self)
        pipeline.removeHandler(context: context, promise: removed)
        return removed.futureResult
    }
}
