import NIOCore

/// The first message of a request, collected before anything is forwarded (the gateway reads
/// the call's namespace from it).
struct GRPCFirstMessage: Equatable {
    var compressed: Bool
    var payload: ByteBuffer

    /// The first message of `buffer` (which starts at a message boundary) once it is complete;
    /// nil while more bytes are needed.
    static func parse(_ buffer: ByteBuffer) -> GRPCFirstMessage? {
        guard buffer.readableBytes >= 5,
            let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self),
            buffer.readableBytes >= 5 + Int(length),
            let payload = buffer.getSlice(at: buffer.readerIndex + 5, length: Int(length))
        else { return nil }
        return GRPCFirstMessage(compressed: flag & 1 == 1, payload: payload)
    }
}
