import NIOCore

/// Reads one top-level string field of a serialized protobuf message by its field number, the
/// way protobuf parsers do (the last occurrence wins), walking the wire format without a schema.
/// Malformed input (a truncated varint or length, a group, an unknown wire type) is an error:
/// the gateway never guesses what a message it cannot read says.
enum ProtobufStringField {
    enum Failure: Error, Equatable {
        case malformed(String)
        case notUTF8
    }

    /// The field's value; nil when the message does not carry the field.
    static func read(_ number: Int, in message: ByteBuffer) throws(Failure) -> String? {
        var buffer = message
        var found: ByteBuffer?
        while buffer.readableBytes > 0 {
            let key = try varint(&buffer)
            let field = key >> 3
            guard field > 0 else { throw .malformed("field number 0") }
            switch key & 7 {
            case 0: _ = try varint(&buffer)
            case 1: try skip(8, &buffer)
            case 5: try skip(4, &buffer)
            case 2:
                let length = try varint(&buffer)
                guard length <= UInt64(buffer.readableBytes), let value = buffer.readSlice(length: Int(length)) else {
                    throw .malformed("a length-delimited field runs past the end of the message")
                }
                if field == UInt64(number) { found = value }
            default:
                throw .malformed("wire type \(key & 7) (groups or unknown)")
            }
        }
        guard let found else { return nil }
        guard let text = found.getString(at: found.readerIndex, length: found.readableBytes),
            Array(text.utf8) == Array(found.readableBytesView)
        else { throw .notUTF8 }
        return text
    }

    private static func varint(_ buffer: inout ByteBuffer) throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard let byte = buffer.readInteger(as: UInt8.self) else { throw .malformed("a varint runs past the end of the message") }
            guard shift < 64 else { throw .malformed("a varint is longer than 10 bytes") }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw .malformed("a varint is longer than 10 bytes")
    }

    private static func skip(_ count: Int, _ buffer: inout ByteBuffer) throws(Failure) {
        guard buffer.readableBytes >= count else { throw .malformed("a fixed-size field runs past the end of the message") }
        buffer.moveReaderIndex(forwardBy: count)
    }
}
