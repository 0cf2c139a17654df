import NIOCore

/// Reads one top-level string field of a serialized protobuf message by its field number, the
/// way protobuf parsers do (the last occurrence wins).
enum ProtobufStringField {
    enum Failure: Error, Equatable {
        case malformed(String)
        case notUTF8
    }

    /// The field's value; nil when the message does not carry the field.
    static func read(_ number: Int, in message: ByteBuffer) throws(Failure) -> String? {
        let fields: [ProtobufWire.Field]
        do {
            fields = try ProtobufWire.fields(of: message)
        } catch {
            throw .malformed(error.reason)
        }
        let found = fields.last { $0.number == UInt64(number) && $0.isBytes }
        guard case let .bytes(value)? = found?.value else { return nil }
        guard let text = value.getString(at: value.readerIndex, length: value.readableBytes),
            Array(text.utf8) == Array(value.readableBytesView)
        else { throw .notUTF8 }
        return text
    }
}

extension ProtobufWire.Field {
    var isBytes: Bool {
        if case .bytes = value { return true }
        return false
    }
}
