import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1

@testable import GatewayCore

/// The data path in process: a caller connection (`EmbeddedChannel` with the listener's
/// pipeline) and the upstream connections the pool dials (`EmbeddedChannel`s with the upstream
/// pipeline), all on one `EmbeddedEventLoop` whose clock the test moves. Bytes in, bytes out:
/// no sockets, no processes.
final class EmbeddedProxy {
    static let workerToken = "worker-token-embedded"
    static let upstreamToken = "upstream-token-embedded"

    let loop = EmbeddedEventLoop()
    let caller: EmbeddedChannel
    private(set) var upstreams: [EmbeddedChannel] = []
    let holder: ProxyContextHolder
    /// When set, the next dials fail with this error (a refused or timed-out connect).
    var dialError: (any Error)? {
        get { options.dialError }
        set { options.dialError = newValue }
    }
    private let options = Options()

    private final class Options {
        var dialError: (any Error)?
    }

    /// `connector` is the YAML of one echo connector's extra keys; `gateway` of the gateway
    /// section's; `principal` of the worker principal's (a flow mapping's entries).
    init(connector: String = "", gateway: String = "", principal: String = "", tracer: RequestTracer? = nil) throws {
        let configuration = try echoConfiguration(
            """
            gateway:
              access_log: false
            \(gateway.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
              principals:
                - {name: worker, token: "env://W", connectors: ["*"]\(principal.isEmpty ? "" : ", " + principal)}
            connector_inventory:
              - name: echo
                executor_url: http://127.0.0.1:9000/base
                auth: {token: "env://T"}
            \(connector.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """, env: ["W": Self.workerToken, "T": Self.upstreamToken])
        let local = LocalSecretResolver(environment: configuration.environment, baseDirectory: "/")
        var secrets = SecretStore()
        for use in SecretStore.uses(in: configuration) {
            if case let .reference(reference) = use.source.value { secrets.setForTesting(use.id, try local.resolve(reference)) }
        }
        holder = ProxyContextHolder(
            try ProxyContext.make(
                configuration: configuration, secrets: secrets, metrics: GatewayMetrics(), logger: Logger(label: "embedded")),
            tracer: tracer)
        caller = EmbeddedChannel(loop: loop)
        var dialed: [EmbeddedChannel] = []
        let options = self.options
        let pool = UpstreamPool(eventLoop: loop, metrics: holder.context.metrics) { [loop] _, _ in
            if let error = options.dialError { return loop.makeFailedFuture(error) }
            let channel = EmbeddedChannel(loop: loop)
            do {
                try UpstreamPool.addHTTPHandlers(channel.pipeline.syncOperations)
                try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9000)).wait()
            } catch {
                return loop.makeFailedFuture(error)
            }
            dialed.append(channel)
            return loop.makeSucceededFuture(channel)
        }
        // Connected first, as an accepted connection is when the listener adds its handlers.
        try caller.connect(to: SocketAddress(ipAddress: "10.1.2.3", port: 40000)).wait()
        try HTTPListener.addCallerHandlers(
            caller.pipeline.syncOperations, holder: holder, pool: pool, limits: holder.context.limits)
        self.dialedChannels = { dialed }
        self.pool = pool
    }

    private var dialedChannels: () -> [EmbeddedChannel] = { [] }
    private var pool: UpstreamPool?

    /// Another caller connection to the same gateway (same context and event loop's pool).
    static func secondCaller(of proxy: EmbeddedProxy) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(loop: proxy.loop)
        try channel.connect(to: SocketAddress(ipAddress: "10.1.2.4", port: 40001)).wait()
        try HTTPListener.addCallerHandlers(
            channel.pipeline.syncOperations, holder: proxy.holder, pool: proxy.pool!, limits: proxy.holder.context.limits)
        return channel
    }

    /// The upstream connections dialed so far, oldest first.
    var dialed: [EmbeddedChannel] { dialedChannels() }

    /// Sends caller bytes.
    func send(_ text: String) throws {
        try caller.writeInbound(ByteBuffer(string: text))
    }

    /// Everything the caller was sent since the last call.
    func callerReceived() throws -> String {
        try Self.drain(caller)
    }

    /// Everything upstream connection `index` was sent since the last call.
    func upstreamReceived(_ index: Int = 0) throws -> String {
        guard index < dialed.count else { return "" }
        return try Self.drain(dialed[index])
    }

    /// Upstream connection `index` answers with `text`.
    func upstreamAnswers(_ text: String, on index: Int = 0) throws {
        try dialed[index].writeInbound(ByteBuffer(string: text))
    }

    static func drain(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    /// A request head from the worker, with `extra` header lines (each ending in CRLF).
    static func request(_ method: String = "GET", _ path: String, extra: String = "", version: String = "HTTP/1.1") -> String {
        "\(method) /executor/echo\(path) \(version)\r\nHost: gateway.test\r\nAuthorization: Bearer \(workerToken)\r\n\(extra)\r\n"
    }
}
