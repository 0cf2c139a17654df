import Testing

@testable import GatewayCore

/// The cursor's byte classes, held as bit sets, against the RFCs' own lists, for every byte.
@Suite("head cursor")
struct HeadCursorTests {
    static func alphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    @Test func theByteClassesAreTheRFCs() {
        for value in 0...255 {
            let byte = UInt8(value)
            // RFC 9110 section 5.6.2: tchar.
            #expect(HeadCursor.isToken(byte) == (Self.alphanumeric(byte) || "!#$%&'*+-.^_`|~".utf8.contains(byte)), "\(value)")
            // RFC 3986: unreserved, sub-delims, ":", "@", "/", "?" and "%".
            #expect(HeadCursor.isTarget(byte) == (Self.alphanumeric(byte) || "-._~!$&'()*+,;=:@/?%".utf8.contains(byte)), "\(value)")
            // RFC 9110 section 5.5: VCHAR, obs-text, SP, HTAB.
            #expect(HeadCursor.isFieldValue(byte) == (byte == 0x09 || byte == 0x20 || (0x21...0x7E).contains(byte) || byte >= 0x80), "\(value)")
        }
    }
}
