import NIOCore

/// The one frame the gateway writes into a tunnel: a close frame (RFC 6455 section 5.5.1),
/// masked towards the upstream (the gateway is its client) and plain towards the caller.
enum WebSocketCloseFrame {
    /// 1001: the endpoint is going away (the gateway drains, or the tunnel was idle too long).
    static let goingAway: UInt16 = 1001

    static func make(code: UInt16, reason: String, masked: Bool) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeInteger(code)
        payload.writeString(String(reason.utf8.prefix(123)) ?? "")
        var frame = ByteBuffer()
        frame.reserveCapacity(payload.readableBytes + 6)
        frame.writeInteger(UInt8(0x88))  // FIN, close
        frame.writeInteger(UInt8(payload.readableBytes) | (masked ? 0x80 : 0))
        guard masked else {
            frame.writeBuffer(&payload)
            return frame
        }
        let key = (0..<4).map { _ in UInt8.random(in: .min ... .max) }
        frame.writeBytes(key)
        for (index, byte) in payload.readableBytesView.enumerated() {
            frame.writeInteger(byte ^ key[index % 4])
        }
        return frame
    }
}
