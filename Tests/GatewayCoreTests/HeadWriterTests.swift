import NIOCore
import Testing

@testable import GatewayCore

/// `HeadWriter` writes a head's pieces into memory reserved at once: every piece lands whole,
/// in order, whatever its size (small ones take the overlapping-word path, larger ones memcpy).
@Suite("head writer")
struct HeadWriterTests {
    @Test func piecesOfEverySizeAreCopiedExactly() {
        let source = (0..<40).map { UInt8(0x41 + $0) }
        for size in 0...source.count {
            var buffer = ByteBuffer()
            let piece = Array(source.prefix(size))
            HeadWriter.write(into: &buffer, capacity: size + 2) { out in
                out.write("<")
                piece.withUnsafeBytes { out.write($0) }
                out.write(">")
            }
            #expect(Array(buffer.readableBytesView) == [UInt8(ascii: "<")] + piece + [UInt8(ascii: ">")], "size \(size)")
        }
    }

    @Test(arguments: [0, 9, 10, 99, 100, 65_536, Int.max, -1])
    func decimalsAreWrittenAsDigits(value: Int) {
        var buffer = ByteBuffer()
        HeadWriter.write(into: &buffer, capacity: 20) { $0.decimal(value) }
        #expect(String(buffer: buffer) == String(max(value, 0)))
    }

    @Test func stringsOfBothKindsAreWrittenAsTheirUTF8() {
        var buffer = ByteBuffer()
        let small = "x-a"  // stored in the string itself
        let large = String(repeating: "value-", count: 10)  // stored on the heap
        HeadWriter.write(into: &buffer, capacity: 100) { $0.line(named: small, large) }
        #expect(String(buffer: buffer) == "x-a: \(large)\r\n")
    }

    @Test func aLiteralNameIsWrittenAsItsBytes() {
        var buffer = ByteBuffer()
        HeadWriter.write(into: &buffer, capacity: 100) { $0.line("x-request-id", "abc") }
        #expect(String(buffer: buffer) == "x-request-id: abc\r\n")
    }
}
