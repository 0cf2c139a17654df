import NIOCore

/// The bytes of `grpc.health.v1.Health/Check`, by hand: a gRPC length-prefixed message holding a
/// protobuf `HealthCheckRequest { string service = 1; }`, and the decoding of
/// `HealthCheckResponse { ServingStatus status = 1; }`.
enum GRPCHealthCodec {
    static let path = "/grpc.health.v1.Health/Check"

    struct DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        var description: String
    }

    /// The framed request: flag 0 (not compressed), 4-byte big-endian length, the message.
    static func request(service: String) -> [UInt8] {
        var message: [UInt8] = []
        if !service.isEmpty {
            let bytes = Array(service.utf8)
            message.append(0x0A)  // field 1, wire type 2 (length-delimited)
            appendVarint(UInt64(bytes.count), to: &message)
            message += bytes
        }
        return frame(message)
    }

    /// Wraps a message in gRPC's 5-byte prefix.
    static func frame(_ message: [UInt8], compressed: Bool = false) -> [UInt8] {
        let length = UInt32(message.count)
        return [
            compressed ? 1 : 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
            UInt8(length & 0xFF),
        ] + message
    }

    /// The message of the first complete frame in `bytes`, or nil while incomplete.
    static func firstMessage(in bytes: [UInt8]) throws(DecodingError) -> [UInt8]? {
        guard let message = GRPCFirstMessage.parse(ByteBuffer(bytes: bytes)) else { return nil }
        guard !message.compressed else {
            throw DecodingError(description: "the response message is compressed, though the probe offered no compression")
        }
        return Array(message.payload.readableBytesView)
    }

    /// Decodes `HealthCheckResponse`: field 1 is the status (absent means UNKNOWN, proto3's default).
    /// Unknown fields are skipped.
    static func servingStatus(fromMessage message: [UInt8]) throws(DecodingError) -> GRPCServingStatus {
        let fields: [ProtobufWire.Field]
        do {
            fields = try ProtobufWire.fields(of: ByteBuffer(bytes: message))
        } catch {
            throw DecodingError(description: "the HealthCheckResponse cannot be read: \(error.reason)")
        }
        var status: UInt64 = 0
        for field in fields where field.number == 1 {
            if case let .varint(value) = field.value { status = value }
        }
        guard let known = GRPCServingStatus(rawValue: Int(truncatingIfNeeded: status)) else {
            throw DecodingError(description: "the HealthCheckResponse status \(status) is not a known ServingStatus")
        }
        return known
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
