import NIOCore

/// Follows the frames of one direction of a WebSocket connection (RFC 6455 section 5.2) as the
/// bytes pass, without copying or checking them, so that the gateway knows where one message
/// ends and the next begins: the only place it may put a frame of its own (a close frame when
/// it drains). Control frames may come between the fragments of a message; they do not end it.
struct WebSocketFrameTracker {
    /// Header bytes of the current frame read so far; 0 between frames.
    private var headerRead = 0
    /// The current frame's header length, known after its second byte (2 until then).
    private var headerLength = 2
    private var firstByte: UInt8 = 0
    private var lengthCode: UInt8 = 0
    private var extendedLength: UInt64 = 0
    /// Payload bytes of the current frame still to come.
    private var payloadLeft: UInt64 = 0
    /// A data message began and its final frame has not ended yet.
    private var inMessage = false

    /// True between two messages: no frame is partly read and no fragmented message is open.
    var atMessageBoundary: Bool { headerRead == 0 && payloadLeft == 0 && !inMessage }

    /// Follows `buffer`'s readable bytes and returns how many were taken: all of them, or with
    /// `stoppingAtBoundary`, those up to the first message boundary (0 when already at one).
    mutating func advance(over buffer: ByteBuffer, stoppingAtBoundary: Bool = false) -> Int {
        let count = buffer.readableBytes
        var index = 0
        while index < count {
            if stoppingAtBoundary && atMessageBoundary { return index }
            if payloadLeft > 0 {
                let skipped = Int(min(payloadLeft, UInt64(count - index)))
                payloadLeft -= UInt64(skipped)
                index += skipped
                if payloadLeft == 0 { frameEnded() }
                continue
            }
            headerByte(buffer.getInteger(at: buffer.readerIndex + index, as: UInt8.self)!)
            index += 1
        }
        return count
    }

    private mutating func headerByte(_ byte: UInt8) {
        switch headerRead {
        case 0: firstByte = byte
        case 1:
            lengthCode = byte & 0x7f
            let extended = lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0
            headerLength = 2 + extended + (byte & 0x80 != 0 ? 4 : 0)
            extendedLength = 0
        case 2..<(2 + extendedBytes): extendedLength = extendedLength << 8 | UInt64(byte)
        default: break  // the masking key
        }
        headerRead += 1
        guard headerRead == headerLength else { return }
        headerRead = 0
        headerLength = 2
        payloadLeft = lengthCode < 126 ? UInt64(lengthCode) : extendedLength
        if payloadLeft == 0 { frameEnded() }
    }

    private var extendedBytes: Int { lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0 }

    /// A frame's last byte passed: a data frame (opcode below 8) opens or ends its message.
    private mutating func frameEnded() {
        let opcode = firstByte & 0x0f
        guard opcode < 0x8 else { return }
        inMessage = firstByte & 0x80 == 0
    }
}
