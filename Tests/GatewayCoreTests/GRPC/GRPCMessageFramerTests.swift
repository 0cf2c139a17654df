import NIOCore
import Testing

@testable import GatewayCore

/// Length prefixes are followed across DATA frames however the frames cut them; a declared
/// length over the limit is stopped at its prefix, before its bytes go anywhere.
@Suite("gRPC message framer")
struct GRPCMessageFramerTests {
    static func message(_ payload: [UInt8], compressed: Bool = false) -> [UInt8] {
        let length = UInt32(payload.count)
        return [compressed ? 1 : 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + payload
    }

    @Test func countsMessagesWhateverTheFrameBoundaries() {
        let stream = Self.message(Array(repeating: 1, count: 10)) + Self.message([]) + Self.message(Array(repeating: 2, count: 300))
        for cut in 1...stream.count {
            var framer = GRPCMessageFramer(limit: 1000)
            var index = 0
            while index < stream.count {
                let end = min(index + cut, stream.count)
                #expect(framer.consume(ByteBuffer(bytes: stream[index..<end])) == .ok)
                index = end
            }
            #expect(framer.messages == 3, "cut \(cut)")
        }
    }

    @Test func aMessageOverTheLimitIsStoppedAtItsPrefix() {
        var framer = GRPCMessageFramer(limit: 100)
        #expect(framer.consume(ByteBuffer(bytes: Self.message(Array(repeating: 0, count: 100)))) == .ok)
        #expect(framer.consume(ByteBuffer(bytes: [0, 0, 0, 0x01])) == .ok)
        #expect(framer.consume(ByteBuffer(bytes: [0x01])) == .tooLarge(length: 257))
    }

    @Test func theFirstMessageIsWholeOnlyWithAllItsBytes() {
        let bytes = Self.message(Array("abc".utf8), compressed: true) + [0, 0]
        #expect(GRPCFirstMessage.parse(ByteBuffer(bytes: bytes.prefix(7))) == nil)
        let first = GRPCFirstMessage.parse(ByteBuffer(bytes: bytes))
        #expect(first?.compressed == true)
        #expect(first.map { Array($0.payload.readableBytesView) } == Array("abc".utf8))
    }
}
