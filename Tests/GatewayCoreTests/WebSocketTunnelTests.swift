import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import GatewayCore

/// WebSocket handshakes in process: which upgrades pass, what goes upstream, and the tunnel the
/// exchange becomes after the upstream's 101 (both pipelines without their HTTP handlers, bytes
/// relayed as they are, including bytes that followed the handshakes in the same reads).
@Suite("WebSocket tunnels in process")
struct WebSocketTunnelTests {
    static let handshake = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    static let accepted =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"

    static func proxy() throws -> EmbeddedProxy {
        try EmbeddedProxy(connector: "websocket_paths: [/ws, /rooms/*/live]")
    }

    /// A gateway whose connector has `connector`'s keys, with one tunnel open on `/ws`.
    static func tunnel(connector: String) throws -> EmbeddedProxy {
        let proxy = try EmbeddedProxy(connector: "websocket_paths: [/ws]\n" + connector)
        try proxy.send(EmbeddedProxy.request("GET", "/ws", extra: handshake))
        try proxy.upstreamAnswers(accepted)
        proxy.loop.run()  // the decoders leave on the loop's next turn
        #expect(try proxy.callerReceived().hasPrefix("HTTP/1.1 101 "))
        return proxy
    }

    @Test func theHandshakeGoesUpstreamWithTheConnectorsCredentialAndTheUpgradeHeaders() throws {
        let proxy = try Self.proxy()
        try proxy.send(EmbeddedProxy.request("GET", "/ws?x=1", extra: Self.handshake))
        let sent = try proxy.upstreamReceived()
        #expect(sent.hasPrefix("GET /base/ws?x=1 HTTP/1.1\r\n"))
        let lower = sent.lowercased()
        #expect(lower.contains("connection: upgrade\r\n") && lower.contains("upgrade: websocket\r\n"))
        #expect(lower.contains("sec-websocket-key: dghlihnhbxbszsbub25jzq==\r\n"))
        #expect(sent.contains("\r\nX-Echo-Token: \(EmbeddedProxy.upstreamToken)\r\n") && !sent.contains(EmbeddedProxy.workerToken))
    }

    @Test func after101BytesFlowBothWaysAsTheyAre() throws {
        let proxy = try Self.proxy()
        // The caller's first frame follows its handshake in the same read.
        try proxy.send(EmbeddedProxy.request("GET", "/rooms/7/live", extra: Self.handshake) + "\u{81}\u{02}hi")
        _ = try proxy.upstreamReceived()
        try proxy.upstreamAnswers(Self.accepted + "\u{81}\u{05}hello")
        proxy.loop.run()  // the decoders leave on the loop's next turn
        let toCaller = try proxy.callerReceived()
        #expect(toCaller.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        let lower = toCaller.lowercased()
        #expect(lower.contains("connection: upgrade\r\n") && lower.contains("upgrade: websocket\r\n"))
        #expect(lower.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n") && lower.contains("x-request-id: "))
        #expect(toCaller.hasSuffix("\r\n\r\n\u{81}\u{05}hello"), "the upstream's first frame, after the head")
        #expect(try proxy.upstreamReceived() == "\u{81}\u{02}hi", "the caller's first frame")
        // No HTTP handler is left: anything is relayed, in both directions.
        try proxy.send("GET /not-http-any-more HTTP/1.1\r\n\r\n")
        #expect(try proxy.upstreamReceived() == "GET /not-http-any-more HTTP/1.1\r\n\r\n")
        try proxy.upstreamAnswers("\u{88}\u{02}\u{03}\u{e8}")
        #expect(try proxy.callerReceived() == "\u{88}\u{02}\u{03}\u{e8}")
        #expect((try? proxy.caller.pipeline.syncOperations.handler(type: ProxyHandler.self)) == nil)
        // One side closing closes the other.
        try proxy.dialed[0].close().wait()
        #expect(!proxy.caller.isActive)
    }

    @Test func aTunnelSilentBothWaysClosesAtItsIdleTimeout() throws {
        let proxy = try Self.tunnel(connector: "tunnel_idle_timeout: 30s")
        _ = try proxy.upstreamReceived()  // the handshake
        proxy.loop.advanceTime(by: .seconds(29))
        #expect(proxy.caller.isActive)
        proxy.loop.advanceTime(by: .seconds(1))
        // 1001 to both sides; neither answers, so the connections close after the linger.
        #expect(try TunnelGoingAwayTests.bytes(proxy.caller) == [0x88, 14, 0x03, 0xe9] + Array("idle timeout".utf8))
        #expect(try TunnelGoingAwayTests.bytes(proxy.dialed[0]).prefix(2) == [0x88, 0x80 | 14])
        #expect(proxy.caller.isActive)
        proxy.loop.advanceTime(by: TunnelMonitor.linger)
        #expect(!proxy.caller.isActive && !proxy.dialed[0].isActive)
        #expect(proxy.holder.tunnels.metricsText().contains(#"gateway_tunnels_closed_total{connector="echo",reason="idle"} 1"#))
    }

    @Test func tunnelsAreCountedAndCappedPerConnector() throws {
        let proxy = try Self.tunnel(connector: "limits: {max_tunnels: 1}")
        #expect(proxy.holder.tunnels.openByConnector == ["echo": 1])

        // A second caller at the cap: 503 with Retry-After, nothing upstream.
        let second = try EmbeddedProxy.secondCaller(of: proxy)
        try second.writeInbound(ByteBuffer(string: EmbeddedProxy.request("GET", "/ws", extra: Self.handshake)))
        let refused = try EmbeddedProxy.drain(second)
        #expect(refused.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n") && refused.lowercased().contains("retry-after: 1\r\n"))
        #expect(proxy.dialed.count == 1)

        // Bytes both ways, then the upstream closes: the slot is free, the metrics say why.
        try proxy.send("abc")
        try proxy.upstreamAnswers("defgh")
        try proxy.dialed[0].close().wait()
        #expect(!proxy.caller.isActive)
        #expect(proxy.holder.tunnels.openByConnector.isEmpty)
        let metrics = proxy.holder.tunnels.metricsText()
        #expect(metrics.contains(#"gateway_tunnels_closed_total{connector="echo",reason="upstream"} 1"#))
        #expect(metrics.contains(#"gateway_tunnel_bytes_total{connector="echo",direction="to_upstream"} 3"#))
        #expect(metrics.contains(#"gateway_tunnel_bytes_total{connector="echo",direction="to_caller"} 5"#))
    }

    @Test func aHandshakeThatFailsGivesItsSlotBack() throws {
        let proxy = try EmbeddedProxy(connector: "websocket_paths: [/ws]\nlimits: {max_tunnels: 1}")
        try proxy.send(EmbeddedProxy.request("GET", "/ws", extra: Self.handshake))
        #expect(proxy.holder.tunnels.openByConnector == ["echo": 1], "held from the handshake on")
        try proxy.upstreamAnswers("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
        #expect(proxy.holder.tunnels.openByConnector.isEmpty)
    }

    @Test func anUpstreamThatDeclinesTheHandshakeIsAnOrdinaryAnswerThenClose() throws {
        let proxy = try Self.proxy()
        try proxy.send(EmbeddedProxy.request("GET", "/ws", extra: Self.handshake))
        try proxy.upstreamAnswers("HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\nno")
        let answer = try proxy.callerReceived()
        #expect(answer.hasPrefix("HTTP/1.1 404 Not Found\r\n") && answer.lowercased().contains("connection: close\r\n"))
        #expect(!proxy.caller.isActive, "the caller's parser reads no request after a handshake")
    }

    @Test(arguments: [
        ("/other", handshake, "GET"),  // not a websocket path
        ("/ws", "Connection: Upgrade\r\nUpgrade: h2c\r\n", "GET"),  // not websocket
        ("/ws", "Upgrade: websocket\r\n", "GET"),  // no Connection: upgrade
        ("/ws", handshake + "Content-Length: 2\r\n", "POST"),  // not a GET without a body
        ("/ws/../other", handshake, "GET"),  // the canonical path decides
    ])
    func otherUpgradesAre501AndClose(path: String, headers: String, method: String) throws {
        let proxy = try Self.proxy()
        try proxy.send(EmbeddedProxy.request(method, path, extra: headers))
        let answer = try proxy.callerReceived()
        #expect(answer.hasPrefix("HTTP/1.1 501 Not Implemented\r\n"), "\(answer)")
        #expect(answer.contains("urn:fractalops:gateway:upgrade"))
        #expect(proxy.dialed.isEmpty, "nothing upstream")
        #expect(!proxy.caller.isActive)
    }

    @Test func aHandshakeWithoutAValidTokenIs401NeverA101() throws {
        let proxy = try Self.proxy()
        try proxy.send("GET /executor/echo/ws HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer wrong\r\n\(Self.handshake)\r\n")
        let answer = try proxy.callerReceived()
        #expect(answer.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        #expect(proxy.dialed.isEmpty && !proxy.caller.isActive)
    }
}
