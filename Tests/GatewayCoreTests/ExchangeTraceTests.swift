import InMemoryTracing
import Logging
import NIOCore
import NIOEmbedded
import Testing
import Tracing

@testable import GatewayCore

/// The data path's spans in process, with swift-distributed-tracing's in-memory tracer: which
/// spans an exchange makes (server, a client per attempt, the tunnel's), how they are parented,
/// what they say, and what goes upstream. The OTLP export is proven end to end (test_tracing.py).
@Suite("Exchange traces")
struct ExchangeTraceTests {
    static func traced(
        connector: String = "", sampler: TelemetryConfiguration.Sampler = .alwaysOn
    ) throws -> (EmbeddedProxy, InMemoryTracer) {
        let memory = InMemoryTracer()
        let tracer = RequestTracer(
            tracer: memory, drops: SpanDrops(logger: Logger(label: "test")),
            configuration: TelemetryConfiguration(
                endpoint: try EndpointURL(parsing: "http://127.0.0.1:4318"), serviceName: "test", sampler: sampler,
                ratio: 1, maxQueueSize: 16, scheduleDelay: 1, exportTimeout: 1))
        return (try EmbeddedProxy(connector: connector, tracer: tracer), memory)
    }

    static let callerTrace = "\(InMemoryTracer.traceIDKey): caller-trace\r\n\(InMemoryTracer.spanIDKey): caller-span\r\n"

    static func attribute(_ span: FinishedInMemorySpan, _ key: String) -> String? {
        switch span.attributes.get(key) {
        case let .string(text)?: text
        case let .int64(number)?: String(number)
        case let .int32(number)?: String(number)
        case let other?: "\(other)"
        case nil: nil
        }
    }

    @Test func aForwardedRequestHasAServerSpanUnderTheCallersAndAClientSpanTheUpstreamSees() throws {
        let (proxy, memory) = try Self.traced()
        try proxy.send(EmbeddedProxy.request("GET", "/items?token=hidden", extra: Self.callerTrace))
        let sent = try proxy.upstreamReceived()
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        #expect(try proxy.callerReceived().hasPrefix("HTTP/1.1 200 OK"))

        let spans = memory.finishedSpans
        let server = try #require(spans.first { $0.kind == .server })
        let client = try #require(spans.first { $0.kind == .client })
        #expect(spans.count == 2)
        #expect(server.traceID == "caller-trace" && server.parentSpanID == "caller-span")
        #expect(client.parentSpanID == server.spanID)
        #expect(server.operationName == "GET /executor/echo/*")
        #expect(Self.attribute(server, "http.route") == "/executor/echo/*")
        #expect(Self.attribute(server, "url.path") == "/executor/echo/items")
        #expect(Self.attribute(server, "http.response.status_code") == "200")
        #expect(Self.attribute(server, "fractalops.principal") == "worker")
        #expect(Self.attribute(server, "client.address") == "10.1.2.3")
        #expect(Self.attribute(client, "url.full") == "http://127.0.0.1:9000/base/items")
        #expect(Self.attribute(client, "http.request.resend_count") == nil)
        // The upstream gets the client span's context, not the caller's.
        #expect(sent.contains("\(InMemoryTracer.spanIDKey): \(client.spanID)\r\n"))
        #expect(!sent.contains("caller-span"))
    }

    @Test func aRetryOnAFreshConnectionIsASecondClientSpanWithItsResendCount() throws {
        let (proxy, memory) = try Self.traced()
        // A pooled connection first...
        try proxy.send(EmbeddedProxy.request("GET", "/first"))
        _ = try proxy.upstreamReceived()
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        _ = try proxy.callerReceived()
        // ...which the upstream closes as the next request is sent on it.
        try proxy.send(EmbeddedProxy.request("GET", "/second"))
        try proxy.dialed[0].close().wait()
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", on: 1)
        #expect(try proxy.callerReceived().hasPrefix("HTTP/1.1 200 OK"))

        let second = memory.finishedSpans.filter { span in
            memory.finishedSpans.contains {
                $0.kind == .server && $0.spanID == span.parentSpanID && Self.attribute($0, "url.path") == "/executor/echo/second"
            }
        }
        #expect(second.count == 2)
        #expect(second.map { Self.attribute($0, "http.request.resend_count") } == [nil, "1"])
        #expect(second[0].status?.code == .error && Self.attribute(second[0], "error.type") == "urn:fractalops:gateway:reset")
    }

    @Test func aRefusalIsAServerSpanWithItsProblemTypeAndNoClientSpan() throws {
        let (proxy, memory) = try Self.traced()
        try proxy.send("GET /executor/echo/x HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
        #expect(try proxy.callerReceived().hasPrefix("HTTP/1.1 401 "))
        let spans = memory.finishedSpans
        #expect(spans.map(\.kind) == [.server])
        #expect(Self.attribute(spans[0], "error.type") == "urn:fractalops:gateway:unauthenticated")
        #expect(spans[0].status == nil, "a 4xx is not the server's error")
    }

    @Test func anUpstreamThatCannotBeReachedEndsBothSpansInError() throws {
        let (proxy, memory) = try Self.traced()
        proxy.dialError = ChannelError.connectTimeout(.seconds(1))
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        #expect(try proxy.callerReceived().hasPrefix("HTTP/1.1 504 "))
        let server = try #require(memory.finishedSpans.first { $0.kind == .server })
        let client = try #require(memory.finishedSpans.first { $0.kind == .client })
        #expect(server.status?.code == .error && client.status?.code == .error)
        #expect(Self.attribute(server, "error.type") == "urn:fractalops:gateway:timeout")
    }

    @Test func aWebSocketHandshakeEndsItsServerSpanAt101AndTheTunnelSpanAtTheClose() throws {
        let (proxy, memory) = try Self.traced(connector: "websocket_paths: [/ws]")
        try proxy.send(EmbeddedProxy.request("GET", "/ws", extra: WebSocketTunnelTests.handshake))
        try proxy.upstreamAnswers(WebSocketTunnelTests.accepted)
        proxy.loop.run()
        let server = try #require(memory.finishedSpans.first { $0.kind == .server })
        #expect(Self.attribute(server, "http.response.status_code") == "101")
        #expect(!memory.finishedSpans.contains { $0.operationName == "WebSocket tunnel" }, "open until the tunnel closes")
        try proxy.send("abc")
        try proxy.dialed[0].close().wait()
        let tunnel = try #require(memory.finishedSpans.first { $0.operationName == "WebSocket tunnel" })
        #expect(tunnel.parentSpanID == server.spanID)
        #expect(Self.attribute(tunnel, "fractalops.tunnel.closed_by") == "upstream")
        #expect(Self.attribute(tunnel, "fractalops.tunnel.bytes_to_upstream") == "3")
    }

    @Test func aRequestTheSamplerLeavesOutMakesNoSpanAndPassesOnItsTraceUnsampled() throws {
        let (proxy, memory) = try Self.traced(sampler: .parentBasedAlwaysOff)
        // Without a caller's trace: fresh ids, sampled flag off.
        try proxy.send(EmbeddedProxy.request("GET", "/x"))
        let sent = try proxy.upstreamReceived()
        let line = try #require(sent.split(separator: "\r\n").first { $0.hasPrefix("traceparent: ") })
        let parent = try #require(TraceParent(String(line.dropFirst("traceparent: ".count))))
        #expect(!parent.sampled)
        try proxy.upstreamAnswers("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        _ = try proxy.callerReceived()
        // A caller's unsampled trace goes on as it came.
        let callers = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
        try proxy.send(EmbeddedProxy.request("GET", "/y", extra: "traceparent: \(callers)\r\ntracestate: a=1\r\n"))
        let second = try proxy.upstreamReceived()
        #expect(second.contains("traceparent: \(callers)\r\n") && second.contains("tracestate: a=1\r\n"))
        #expect(memory.finishedSpans.isEmpty && memory.activeSpan(identifiedBy: ServiceContext.topLevel) == nil)
    }

    @Test func withoutATracerTheCallersTraceContextPassesUntouched() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("GET", "/x", extra: "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"))
        #expect(try proxy.upstreamReceived().contains("traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"))
    }

    @Test func theExportersDropsAreCountedFromItsDiagnostics() {
        let drops = SpanDrops(logger: Logger(label: "test"))
        var diagnostics = Logger(label: "otel") { _ in SpanExportDiagnostics(drops: drops) }
        diagnostics[metadataKey: "batch_size"] = "7"
        diagnostics.warning("Failed to export batch.", metadata: ["error": "connection refused"])
        diagnostics.warning("Spans were dropped this iteration because queue was full", metadata: ["dropped_count": "3"])
        diagnostics.warning("Something else.")
        #expect(drops.exportFailed == 7 && drops.queueFull == 3)
        #expect(drops.metricsText().contains(#"gateway_trace_spans_dropped_total{reason="export_failed"} 7"#))
    }
}
