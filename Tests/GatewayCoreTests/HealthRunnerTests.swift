import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import GatewayCore

/// The check against real sockets on 127.0.0.1 (port 0): the probe carries the route's Host
/// header and credential; refused, silent and unhealthy peers give the right state and step.
@Suite("health checks over real sockets")
struct HealthRunnerTests {
    final class Recorder: Sendable {
        let heads = Mutex<[HTTPRequestHead]>([])
    }

    /// Answers every request with `status`, recording the request heads it got.
    final class Answering: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let status: HTTPResponseStatus
        let heads: Recorder

        init(status: HTTPResponseStatus, heads: Recorder = Recorder()) {
            self.status = status
            self.heads = heads
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .head(head): heads.heads.withLock { $0.append(head) }
            case .body: break
            case .end:
                let body = context.channel.allocator.buffer(string: "down for maintenance\n")
                var headers = HTTPHeaders([("content-length", "\(body.readableBytes)")])
                headers.add(name: "connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    static func server(http handler: Answering?) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let handler else { return }  // silent: accept and never answer
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    static func plan(port: Int, timeout: Double = 2) -> HealthPlan {
        let target = UpstreamTarget(
            connector: "up", host: "127.0.0.1", port: port, basePath: "/base", hostHeader: "up.internal", tlsContext: nil,
            serverHostname: nil, credential: ("X-Api-Key", SecretValue("sk-probe")), removedRequestHeaders: [],
            forwardedFor: .client, connectTimeout: .seconds(1), firstByteTimeout: .seconds(1), idleTimeout: .seconds(1),
            maxBodyBytes: 100, maxConnectionsPerLoop: 4)
        return HealthPlan(
            name: "up", kind: "langboard", target: "http://127.0.0.1:\(port)/base",
            thresholds: HealthThresholds(timeout: timeout, degradedAfter: 1, certificateWarningDays: 14),
            configDetail: "test", secret: HealthStepResult(.secret, .ok, seconds: 0, detail: "test"),
            credential: "auth.api_key", action: .http(target, path: "/health", healthy: [200, 204]))
    }

    @Test func aHealthyAnswerIsOkAndTheProbeCarriesHostAndCredential() async throws {
        let heads = Recorder()
        let server = try await Self.server(http: Answering(status: .noContent, heads: heads))
        defer { server.close(promise: nil) }
        let result = await HealthEngine().checkWithDeadline(Self.plan(port: server.localAddress!.port!))
        #expect(result.state == .ok, "\(result.reason)")
        #expect(result.probe?.status == 204)
        #expect(result.step(.tls)?.status == .skipped)
        #expect(result.steps.map(\.step) == HealthStep.allCases)
        let head = try #require(heads.heads.withLock { $0.first })
        #expect(head.uri == "/base/health")
        #expect(head.headers["host"] == ["up.internal"])
        #expect(head.headers["x-api-key"] == ["sk-probe"])
    }

    @Test func aServerFaultIsSkipWithTheBody() async throws {
        let server = try await Self.server(http: Answering(status: .serviceUnavailable))
        defer { server.close(promise: nil) }
        let result = await HealthEngine().checkWithDeadline(Self.plan(port: server.localAddress!.port!))
        #expect(result.state == .skip)
        #expect(result.probe?.bodyExcerpt == "down for maintenance")
        #expect(result.reason.contains("503"))
    }

    @Test func aRefusedConnectionFailsAtConnect() async throws {
        let server = try await Self.server(http: nil)
        let port = server.localAddress!.port!
        try await server.close()
        let result = await HealthEngine().checkWithDeadline(Self.plan(port: port))
        #expect(result.state == .fail)
        #expect(result.decidedBy == .connect)
        #expect(result.reason.contains("refused"), "\(result.reason)")
        #expect(result.step(.probe)?.status == .skipped)
    }

    @Test func aSilentPeerFailsAtTheProbeWithinTheTimeout() async throws {
        let server = try await Self.server(http: nil)
        defer { server.close(promise: nil) }
        let started = ContinuousClock.now
        let result = await HealthEngine().checkWithDeadline(Self.plan(port: server.localAddress!.port!, timeout: 0.3))
        let elapsed = ContinuousClock.now - started
        #expect(result.state == .fail)
        #expect(result.decidedBy == .probe)
        // The step's own deadline answers (or, on a starved machine, the backstop half a second later).
        #expect(result.reason.contains("within health.timeout (300 ms)"), "\(result.reason)")
        // The peer holds the connection for good: only the deadline ends the check. The margin is
        // for the test run (suites share a pool as wide as the machine's cores), not the gateway.
        #expect(elapsed < .seconds(25), "took \(elapsed)")
    }

    @Test func checksRunConcurrently() async throws {
        let server = try await Self.server(http: nil)
        defer { server.close(promise: nil) }
        let plans = (0..<4).map { _ in Self.plan(port: server.localAddress!.port!, timeout: 0.4) }
        let report = await HealthEngine().run(plans, concurrency: 4)
        #expect(report.connectors.count == 4)
        // Every check started before any of them ended (one after another, each would start
        // only when the previous one timed out).
        let firstEnd = report.connectors.map { $0.checkedAt.addingTimeInterval($0.seconds) }.min()!
        #expect(report.connectors.allSatisfy { $0.checkedAt < firstEnd })
        let limited = await HealthEngine().run(Array(plans.prefix(2)), concurrency: 1)
        #expect(limited.connectors[1].checkedAt >= limited.connectors[0].checkedAt.addingTimeInterval(0.4))
    }
}
