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

    /// The word-at-a-time value scan stops where the byte-by-byte one does: every byte value at
    /// every offset of a value longer than two words, after every kind of prefix.
    @Test func theValueScanStopsAtTheFirstNonValueByte() {
        let prefixes: [[UInt8]] = [[], Array("Mozilla/5.0 ".utf8), [0x80, 0xFF, 0x20, 0x7E, 0x21]]
        for prefix in prefixes {
            for value in 0...255 {
                for offset in 0..<20 {
                    var bytes = prefix + Array(repeating: UInt8(ascii: "v"), count: 24)
                    bytes[prefix.count + offset] = UInt8(value)
                    bytes += Array("\r\n".utf8)
                    bytes.withUnsafeBytes { raw in
                        var cursor = HeadCursor(bytes: raw)
                        let expected = raw.firstIndex { !HeadCursor.isFieldValue($0) }
                        #expect(cursor.skipFieldValue() == 0..<(expected ?? raw.count), "\(value) at \(offset)")
                    }
                }
            }
        }
    }
}
