import Logging
import NIOCore
import NIOHTTP2
import NIOSSL

extension TCPListener {
    /// A caller connection of a listener that speaks gRPC: TLS first with `listen_tls` (a client
    /// certificate optional: a call may authenticate by token), then HTTP/2. Each stream is one
    /// call, checked and proxied by a `GRPCCallHandler` over this connection's own upstream
    /// connection. The connection manager answers keepalive pings (NIO acknowledges every ping;
    /// none is too frequent), never closes a connection for being idle (workers hold them for
    /// hours), and on drain or reload sends GOAWAY and lets the calls in flight finish.
    func acceptGRPC(_ inbound: any Channel, settings: Settings, grpc: GRPCTransport) -> EventLoopFuture<Void> {
        let loop = inbound.eventLoop
        let upstream = NIOLoopBound(GRPCUpstream(target: grpc.upstream, eventLoop: loop), eventLoop: loop)
        let calls = NIOLoopBound(GRPCConnectionCalls(), eventLoop: loop)
        track(GRPCConnectionEntry(channel: inbound, calls: calls))
        inbound.closeFuture.whenComplete { [self] _ in
            upstream.value.close()
            untrack(inbound)
        }
        let connector = settings.connector
        let peer = inbound.remoteAddress?.ipAddress ?? "unknown"
        let (principals, secrets, accessLog, metrics, logger) = (self.principals, self.secrets, self.accessLog, grpcMetrics, self.logger)
        let (limits, tracer) = (self.limits, self.tracer)
        // One line when a caller connects and one when it goes (how long, how many calls): a
        // worker that reconnects shows here.
        let callCount = NIOLoopBoundBox(0, eventLoop: loop)
        let opened = NIODeadline.now()
        logger.info("grpc connection opened", metadata: ["gateway.peer": "\(peer)"])
        inbound.closeFuture.whenComplete { _ in
            logger.info(
                "grpc connection closed",
                metadata: [
                    "gateway.peer": "\(peer)", "gateway.calls": "\(callCount.value)",
                    "gateway.duration_ms": "\((NIODeadline.now() - opened).nanoseconds / 1_000_000)",
                ])
        }
        do {
            let sync = inbound.pipeline.syncOperations
            if let termination = settings.termination {
                try sync.addHandler(NIOSSLServerHandler(context: termination.serverContext))
                try sync.addHandler(
                    TLSHandshakeDeadline(timeout: TCPCallerGate.handshakeTimeout) { error in
                        logger.info(
                            "grpc connection refused",
                            metadata: [
                                "gateway.peer": "\(peer)", "gateway.error": "the TLS handshake failed: \(error)",
                            ])
                    })
            }
            let manager = NIOHTTP2ServerConnectionManagementHandler(
                eventLoop: loop,
                configuration: .init(
                    maxIdleTime: nil, maxAge: nil, maxGraceTime: nil,
                    keepalive: .init(pingInterval: .hours(2), ackTimeout: .seconds(20))))
            let http2 = NIOHTTP2Handler(
                mode: .server, eventLoop: loop, connectionConfiguration: GRPCUpstream.connectionConfiguration,
                streamConfiguration: GRPCUpstream.streamConfiguration, streamDelegate: manager.http2StreamDelegate
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    callCount.value += 1
                    let connection = GRPCCallHandler.Connection(
                        connector: connector, policy: grpc.policy, principals: principals,
                        credential: { grpc.credentialValue(connector: connector, secrets: secrets()) },
                        upstream: upstream.value, metrics: metrics, logger: logger, accessLog: accessLog(), peer: peer,
                        calls: calls.value, limits: limits, tracer: tracer)
                    try stream.pipeline.syncOperations.addHandler(GRPCCallHandler(connection: connection))
                }
            }
            try sync.addHandler(http2)
            try sync.addHandler(manager)
            try inbound.syncOptions?.setOption(.autoRead, value: true)
        } catch {
            return inbound.close()
        }
        return loop.makeSucceededVoidFuture()
    }
}
