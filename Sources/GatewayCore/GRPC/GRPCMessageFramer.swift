import NIOCore

/// Follows the length prefixes of a gRPC message stream (1 byte compressed flag, 4 bytes
/// big-endian length, the message) across DATA frames, without copying the messages: it counts
/// them and stops one whose declared length is over the limit before its bytes are forwarded.
struct GRPCMessageFramer {
    enum Outcome: Equatable {
        case ok
        /// A message declared `length` bytes, more than the limit.
        case tooLarge(length: Int)
    }

    let limit: Int
    private(set) var messages = 0
    /// Bytes of the current message's payload still to come.
    private var remaining = 0
    /// The part of a prefix read so far (a prefix may be split across frames).
    private var prefix: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
        prefix.reserveCapacity(5)
    }

    mutating func consume(_ buffer: ByteBuffer) -> Outcome {
        var index = buffer.readerIndex
        let end = buffer.writerIndex
        while index < end {
            if remaining > 0 {
                let step = min(remaining, end - index)
                remaining -= step
                index += step
                continue
            }
            prefix.append(buffer.getInteger(at: index, as: UInt8.self)!)
            index += 1
            guard prefix.count == 5 else { continue }
            let length = Int(prefix[1]) << 24 | Int(prefix[2]) << 16 | Int(prefix[3]) << 8 | Int(prefix[4])
            prefix.removeAll(keepingCapacity: true)
            messages += 1
            if length > limit { return .tooLarge(length: length) }
            remaining = length
        }
        return .ok
    }
}
