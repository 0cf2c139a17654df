import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayCore

/// `gateway.limits.max_client_connections`: the count across listeners, and the answer a
/// connection over the cap gets.
@Suite("connection cap")
struct ConnectionLimitTests {
    @Test func slotsAreTakenUpToTheLimitAndGivenBack() {
        let limiter = ConnectionLimiter()
        #expect(limiter.acquire(limit: 2) && limiter.acquire(limit: 2))
        #expect(!limiter.acquire(limit: 2), "the third connection is over the cap")
        #expect(limiter.count == 2, "a refused slot is not kept")
        limiter.release()
        #expect(limiter.acquire(limit: 2))
    }

    @Test func aConnectionOverTheCapGets503AndIsClosed() throws {
        let channel = EmbeddedChannel(handler: OverCapacityHandler(limit: 7))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        var answer = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { answer += String(buffer: buffer) }
        #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(answer.contains("connection: close"))
        #expect(answer.contains("max_client_connections"))
        #expect(!channel.isActive)
    }
}
