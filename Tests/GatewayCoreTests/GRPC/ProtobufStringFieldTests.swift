import NIOCore
import Testing

@testable import GatewayCore

/// The namespace reader walks protobuf's wire format without a schema: the field asked for is
/// found among varints, fixed-size fields and other length-delimited fields; the last occurrence
/// wins; malformed input is an error, never a guess.
@Suite("Protobuf string field")
struct ProtobufStringFieldTests {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }

    static func string(_ field: Int, _ text: String) -> [UInt8] {
        varint(UInt64(field << 3 | 2)) + varint(UInt64(text.utf8.count)) + Array(text.utf8)
    }

    static func read(_ field: Int, _ bytes: [UInt8]) throws(ProtobufStringField.Failure) -> String? {
        try ProtobufStringField.read(field, in: ByteBuffer(bytes: bytes))
    }

    @Test func findsTheFieldAmongOthersOfEveryWireType() throws {
        let message =
            Self.string(1, "task-token") + Self.varint(2 << 3) + Self.varint(300)
            + Self.varint(3 << 3 | 1) + Array(repeating: 7, count: 8) + Self.varint(5 << 3 | 5) + [1, 2, 3, 4]
            + Self.string(9, "default") + Self.string(10, "identity")
        #expect(try Self.read(9, message) == "default")
        #expect(try Self.read(1, message) == "task-token")
        #expect(try Self.read(4, message) == nil)
    }

    @Test func theLastOccurrenceWinsAsInEveryProtobufParser() throws {
        #expect(try Self.read(1, Self.string(1, "default") + Self.string(1, "other")) == "other")
    }

    @Test func anEmptyMessageCarriesNoField() throws {
        #expect(try Self.read(1, []) == nil)
    }

    @Test func aFieldNumberAboveFifteenIsReadFromATwoByteKey() throws {
        #expect(try Self.read(200, Self.string(200, "ns")) == "ns")
    }

    @Test(
        arguments: [
            [0x0A, 0x05, 0x61],  // length runs past the end
            [0x08, 0x80],  // truncated varint
            [0x0B, 0x00],  // a group (wire type 3)
            [0x0E],  // wire type 6
            [0x00, 0x01],  // field number 0
            [0x09, 0x01, 0x02],  // a fixed64 cut short
        ] as [[UInt8]])
    func malformedInputIsAnError(_ bytes: [UInt8]) {
        #expect(throws: ProtobufStringField.Failure.self) { try Self.read(1, bytes) }
    }

    @Test func aValueThatIsNotUTF8IsAnError() {
        #expect(throws: ProtobufStringField.Failure.notUTF8) { try Self.read(1, [0x0A, 0x02, 0xC3, 0x28]) }
    }
}
