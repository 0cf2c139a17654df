import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayCore

/// How the gateway ends a tunnel itself (drain, reload, idle): a close frame `1001` to each side,
/// written between two messages and never inside one, nothing relayed after it, and the
/// connections closed when the peers answered or after the linger.
@Suite("Tunnels the gateway ends")
struct TunnelGoingAwayTests {
    typealias Frame = WebSocketFrameTrackerTests

    /// The close frame the caller gets (unmasked), and the upstream's once unmasked.
    static let toCaller: [UInt8] = [0x88, 23, 0x03, 0xe9] + Array("gateway shutting down".utf8)
    static let closePayload: [UInt8] = [0x03, 0xe9] + Array("gateway shutting down".utf8)

    static func bytes(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        return bytes
    }

    /// The payload of a masked close frame `bytes` ends with.
    static func unmaskedClose(endingIn bytes: [UInt8]) -> [UInt8]? {
        let length = closePayload.count
        guard bytes.count >= length + 6 else { return nil }
        let frame = Array(bytes.suffix(length + 6))
        guard frame[0] == 0x88, frame[1] == 0x80 | UInt8(length) else { return nil }
        let key = Array(frame[2..<6])
        return frame[6...].enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    func goAway(_ proxy: EmbeddedProxy) {
        #expect(proxy.holder.tunnels.ask(.drain, where: { _ in true }).count == 1)
        proxy.loop.run()
    }

    @Test func betweenMessagesBothSidesGetTheirCloseFrameAtOnce() throws {
        let proxy = try WebSocketTunnelTests.tunnel(connector: "")
        try proxy.caller.writeInbound(ByteBuffer(bytes: Frame.frame(0x1, payload: 3, masked: true)))
        try proxy.dialed[0].writeInbound(ByteBuffer(bytes: Frame.frame(0x1, payload: 3)))
        _ = try Self.bytes(proxy.caller)
        _ = try Self.bytes(proxy.dialed[0])

        goAway(proxy)
        #expect(try Self.bytes(proxy.caller) == Self.toCaller)
        #expect(Self.unmaskedClose(endingIn: try Self.bytes(proxy.dialed[0])) == Self.closePayload)

        // Nothing crosses after the close frames; the upstream's echo of the close ends it all.
        try proxy.caller.writeInbound(ByteBuffer(bytes: Frame.frame(0x8, payload: 2, masked: true)))
        try proxy.dialed[0].writeInbound(ByteBuffer(bytes: Frame.frame(0x1, payload: 4)))
        #expect(try Self.bytes(proxy.caller).isEmpty && Self.bytes(proxy.dialed[0]).isEmpty)
        try proxy.dialed[0].close().wait()
        #expect(!proxy.caller.isActive)
        #expect(proxy.holder.tunnels.metricsText().contains(#"gateway_tunnels_closed_total{connector="echo",reason="drain"} 1"#))
    }

    @Test func aMessageHalfWayThroughIsFinishedFirstAndWhatFollowsItIsDropped() throws {
        let proxy = try WebSocketTunnelTests.tunnel(connector: "")
        let message = Frame.frame(0x2, fin: false, payload: 40) + Frame.frame(0x9, payload: 1) + Frame.frame(0x0, payload: 10)
        try proxy.dialed[0].writeInbound(ByteBuffer(bytes: Array(message[..<30])))
        #expect(try Self.bytes(proxy.caller) == Array(message[..<30]))

        goAway(proxy)
        #expect(try Self.bytes(proxy.caller).isEmpty, "no frame inside the upstream's message")
        #expect(
            Self.unmaskedClose(endingIn: try Self.bytes(proxy.dialed[0])) == Self.closePayload,
            "the caller's direction was between messages")

        // The rest of the message and the start of the next one arrive in one read.
        let next = Frame.frame(0x1, payload: 5)
        try proxy.dialed[0].writeInbound(ByteBuffer(bytes: Array(message[30...]) + next))
        #expect(try Self.bytes(proxy.caller) == Array(message[30...]) + Self.toCaller)
    }

    @Test func aMessageThatDoesNotEndWithinTheGraceIsCutWithoutAFrame() throws {
        let proxy = try WebSocketTunnelTests.tunnel(connector: "")
        try proxy.caller.writeInbound(ByteBuffer(bytes: Array(Frame.frame(0x2, payload: 1000, masked: true)[..<100])))
        _ = try Self.bytes(proxy.dialed[0])
        goAway(proxy)
        #expect(try Self.bytes(proxy.caller) == Self.toCaller)
        #expect(try Self.bytes(proxy.dialed[0]).isEmpty)
        proxy.loop.advanceTime(by: TunnelMonitor.grace - .milliseconds(1))
        #expect(proxy.caller.isActive)
        proxy.loop.advanceTime(by: .milliseconds(1))
        #expect(!proxy.caller.isActive && !proxy.dialed[0].isActive)
    }

    @Test func peersThatDoNotAnswerAreClosedAfterTheLinger() throws {
        let proxy = try WebSocketTunnelTests.tunnel(connector: "")
        goAway(proxy)
        proxy.loop.advanceTime(by: TunnelMonitor.linger - .milliseconds(1))
        #expect(proxy.caller.isActive)
        proxy.loop.advanceTime(by: .milliseconds(1))
        #expect(!proxy.caller.isActive && !proxy.dialed[0].isActive)
    }

    @Test func onlyTheTunnelsOfTheConnectorsAskedForEnd() throws {
        let proxy = try WebSocketTunnelTests.tunnel(connector: "")
        #expect(proxy.holder.tunnels.ask(.reload, where: { $0 == "other" }).isEmpty)
        proxy.loop.run()
        #expect(try Self.bytes(proxy.caller).isEmpty && proxy.caller.isActive)
        #expect(proxy.holder.tunnels.openByConnector == ["echo": 1])
    }
}
