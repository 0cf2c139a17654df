import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL

/// The gateway's HTTP/2 connection to a gRPC connector's upstream, one per caller connection
/// (so one caller's calls never share a connection with another's), on the caller connection's
/// event loop. Dialled at the first call; a connection the upstream closes or sends GOAWAY on is
/// left to finish its calls and the next call dials a new one.
final class GRPCUpstream {
    /// Where and how to dial.
    struct Target: Sendable, Equatable {
        var address: HostPort
        /// TLS to the upstream (ALPN h2); nil: h2c with prior knowledge.
        var tls: NIOSSLContext?
        /// What `tls` was built from (equal settings make equal targets across reloads).
        var tlsConfiguration: TLSConfiguration?
        var serverName: String?
        var connectTimeout: TimeAmount

        static func == (lhs: Target, rhs: Target) -> Bool {
            let sameTLS =
                switch (lhs.tlsConfiguration, rhs.tlsConfiguration) {
                case (nil, nil): true
                case let (left?, right?): left.bestEffortEquals(right)
                default: false
                }
            return lhs.address == rhs.address && sameTLS && lhs.serverName == rhs.serverName
                && lhs.connectTimeout == rhs.connectTimeout
        }

        /// `:authority` and `:scheme` of the calls forwarded.
        var authority: String { serverName.map { "\($0):\(address.port)" } ?? "\(address)" }
        var scheme: String { tls == nil ? "http" : "https" }
    }

    private enum State {
        case idle
        case connecting([EventLoopPromise<NIOHTTP2Handler.StreamMultiplexer>])
        case ready(any Channel, NIOHTTP2Handler.StreamMultiplexer)
        case closed
    }

    let target: Target
    private let eventLoop: any EventLoop
    private var state = State.idle
    /// Every connection dialled and not yet closed (closed with the caller's connection).
    private var channels: [ObjectIdentifier: any Channel] = [:]

    init(target: Target, eventLoop: any EventLoop) {
        self.target = target
        self.eventLoop = eventLoop
    }

    /// A new stream on the upstream connection (dialled first when there is none), set up by
    /// `initializer` on the event loop.
    func openStream(_ initializer: @escaping NIOChannelInitializer) -> EventLoopFuture<any Channel> {
        eventLoop.assertInEventLoop()
        return multiplexer().flatMap { multiplexer in
            multiplexer.createStreamChannel(initializer)
        }
    }

    /// Closes every upstream connection (the caller's connection closed).
    func close() {
        eventLoop.assertInEventLoop()
        if case let .connecting(waiters) = state {
            for waiter in waiters { waiter.fail(ChannelError.ioOnClosedChannel) }
        }
        state = .closed
        for channel in channels.values { channel.close(promise: nil) }
        channels = [:]
    }

    private func multiplexer() -> EventLoopFuture<NIOHTTP2Handler.StreamMultiplexer> {
        switch state {
        case let .ready(_, multiplexer):
            return eventLoop.makeSucceededFuture(multiplexer)
        case var .connecting(waiters):
            let promise = eventLoop.makePromise(of: NIOHTTP2Handler.StreamMultiplexer.self)
            waiters.append(promise)
            state = .connecting(waiters)
            return promise.futureResult
        case .closed:
            return eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        case .idle:
            let promise = eventLoop.makePromise(of: NIOHTTP2Handler.StreamMultiplexer.self)
            state = .connecting([promise])
            dial()
            return promise.futureResult
        }
    }

    private func dial() {
        let target = self.target
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        ClientBootstrap(group: eventLoop)
            .connectTimeout(target.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls = target.tls {
                        try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: target.serverName))
                    }
                    _ = try sync.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: GRPCUpstream.connectionConfiguration,
                        streamConfiguration: GRPCUpstream.streamConfiguration
                    ) { stream in
                        // The upstream opens no streams towards the gateway (no push in gRPC).
                        stream.close()
                    }
                    try sync.addHandler(GoAwayWatcher { bound.value.retire(channel) })
                }
            }
            .connect(host: target.address.host, port: target.address.port)
            .whenComplete { result in
                let upstream = bound.value
                guard case let .connecting(waiters) = upstream.state else {
                    // Closed meanwhile: the connection is not wanted.
                    if case let .success(channel) = result { channel.close(promise: nil) }
                    return
                }
                switch result {
                case let .success(channel):
                    do {
                        let multiplexer = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
                        upstream.channels[ObjectIdentifier(channel)] = channel
                        channel.closeFuture.whenComplete { _ in
                            bound.value.channels[ObjectIdentifier(channel)] = nil
                            bound.value.retire(channel)
                        }
                        upstream.state = .ready(channel, multiplexer)
                        for waiter in waiters { waiter.succeed(multiplexer) }
                    } catch {
                        channel.close(promise: nil)
                        upstream.state = .idle
                        for waiter in waiters { waiter.fail(error) }
                    }
                case let .failure(error):
                    upstream.state = .idle
                    for waiter in waiters { waiter.fail(error) }
                }
            }
    }

    /// `channel` takes no new calls (GOAWAY, or closed); the next call dials afresh.
    private func retire(_ channel: any Channel) {
        if case let .ready(current, _) = state, current === channel { state = .idle }
    }

    /// What the gateway tells the upstream: streams as many as it allows; a window of 1 MiB per
    /// stream so that large payloads move without a round trip per 64 KiB.
    static let connectionConfiguration: NIOHTTP2Handler.ConnectionConfiguration = {
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 1000),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 1 << 16),
            HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20),
        ]
        return configuration
    }()

    static let streamConfiguration: NIOHTTP2Handler.StreamConfiguration = {
        var configuration = NIOHTTP2Handler.StreamConfiguration()
        configuration.targetWindowSize = 1 << 20
        return configuration
    }()
}
