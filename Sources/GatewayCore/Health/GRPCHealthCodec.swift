/// The bytes of `grpc.health.v1.Health/Check`, by hand: a gRPC length-prefixed message holding a
/// protobuf `HealthCheckRequest { string service = 1; }`, and the decoding of
/// `HealthCheckResponse { ServingStatus status = 1; }`.
public enum GRPCHealthCodec {
    public static let path = "/grpc.health.v1.Health/Check"

    public struct DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// The framed request: flag 0 (not compressed), 4-byte big-endian length, the message.
    public static func request(service: String) -> [UInt8] {
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
    public static func frame(_ message: [UInt8], compressed: Bool = false) -> [UInt8] {
        let length = UInt32(message.count)
        return [
            compressed ? 1 : 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
            UInt8(length & 0xFF),
        ] + message
    }

    /// The message of the first complete frame in `bytes`, or nil while incomplete.
    public static func firstMessage(in bytes: [UInt8]) throws(DecodingError) -> [UInt8]? {
        guard bytes.count >= 5 else { return nil }
        guard bytes[0] == 0 else {
            throw DecodingError(description: "the response message is compressed, though the probe offered no compression")
        }
        let length = Int(bytes[1]) << 24 | Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])
        guard bytes.count >= 5 + length else { return nil }
        return Array(bytes[5..<(5 + length)])
    }

    /// Decodes `HealthCheckResponse`: field 1 is the status (absent means UNKNOWN, proto3's default).
    /// Unknown fields are skipped.
    public static func servingStatus(fromMessage message: [UInt8]) throws(DecodingError) -> GRPCServingStatus {
        var index = 0
        var status: UInt64 = 0
        while index < message.count {
            let key = try readVarint(message, &index)
            let field = key >> 3
            switch (field, key & 7) {
            case (1, 0):
                status = try readVarint(message, &index)
            case (_, 0):
                _ = try readVarint(message, &index)
            case (_, 1):
                index += 8
            case (_, 2):
                index += Int(try readVarint(message, &index))
            case (_, 5):
                index += 4
            default:
                throw DecodingError(description: "the HealthCheckResponse has a field of unsupported wire type \(key & 7)")
            }
            guard index <= message.count else { throw DecodingError(description: "the HealthCheckResponse is truncated") }
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

    static func readVarint(_ bytes: [UInt8], _ index: inout Int) throws(DecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw DecodingError(description: "the HealthCheckResponse has a truncated varint")
    }
}
