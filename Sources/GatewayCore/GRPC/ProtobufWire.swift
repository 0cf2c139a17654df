import NIOCore

/// Protobuf's wire format read without a schema: the top-level fields of a message, each with
/// its number and value, in order. Malformed input (a truncated varint, length or fixed-size
/// value, a group, an unknown wire type, field number 0) is an error: what cannot be read is
/// never guessed at. The namespace of a gRPC call and the health probe's answer are read with it.
enum ProtobufWire {
    enum Value: Equatable {
        case varint(UInt64)
        /// A length-delimited value (string, bytes, embedded message).
        case bytes(ByteBuffer)
        /// A fixed 32- or 64-bit value (skipped).
        case fixed
    }

    struct Field: Equatable {
        var number: UInt64
        var value: Value
    }

    struct Malformed: Error, Equatable {
        var reason: String
    }

    static func fields(of message: ByteBuffer) throws(Malformed) -> [Field] {
        var buffer = message
        var fields: [Field] = []
        while buffer.readableBytes > 0 {
            let key = try varint(&buffer)
            let number = key >> 3
            guard number > 0 else { throw Malformed(reason: "field number 0") }
            switch key & 7 {
            case 0: fields.append(Field(number: number, value: .varint(try varint(&buffer))))
            case 1:
                try skip(8, &buffer)
                fields.append(Field(number: number, value: .fixed))
            case 5:
                try skip(4, &buffer)
                fields.append(Field(number: number, value: .fixed))
            case 2:
                let length = try varint(&buffer)
                guard length <= UInt64(buffer.readableBytes), let value = buffer.readSlice(length: Int(length)) else {
                    throw Malformed(reason: "a length-delimited field runs past the end of the message")
                }
                fields.append(Field(number: number, value: .bytes(value)))
            default:
                throw Malformed(reason: "wire type \(key & 7) (groups or unknown)")
            }
        }
        return fields
    }

    private static func varint(_ buffer: inout ByteBuffer) throws(Malformed) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard let byte = buffer.readInteger(as: UInt8.self) else {
                throw Malformed(reason: "a varint runs past the end of the message")
            }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw Malformed(reason: "a varint is longer than 10 bytes")
    }

    private static func skip(_ count: Int, _ buffer: inout ByteBuffer) throws(Malformed) {
        guard buffer.readableBytes >= count else { throw Malformed(reason: "a fixed-size field runs past the end of the message") }
        buffer.moveReaderIndex(forwardBy: count)
    }
}
