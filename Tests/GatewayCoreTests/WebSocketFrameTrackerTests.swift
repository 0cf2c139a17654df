import NIOCore
import Testing

@testable import GatewayCore

/// The frame tracker as a value: where messages end, whatever the frame sizes, masking,
/// fragmentation, control frames between fragments, and however the bytes are split into reads.
@Suite("WebSocket frame tracker")
struct WebSocketFrameTrackerTests {
    /// One frame as RFC 6455 section 5.2 lays it out (the payload is not really masked: the
    /// tracker never looks at it).
    static func frame(_ opcode: UInt8, fin: Bool = true, payload: Int, masked: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let mask: UInt8 = masked ? 0x80 : 0
        switch payload {
        case ..<126: bytes.append(mask | UInt8(payload))
        case ..<65536: bytes += [mask | 126, UInt8(payload >> 8), UInt8(payload & 0xff)]
        default: bytes += [mask | 127] + (0..<8).reversed().map { UInt8((payload >> ($0 * 8)) & 0xff) }
        }
        if masked { bytes += [1, 2, 3, 4] }
        return bytes + [UInt8](repeating: 0x61, count: payload)
    }

    /// Feeds `bytes` in reads of `chunk` bytes; the boundary state after each whole frame list.
    static func follow(_ bytes: [UInt8], chunk: Int) -> WebSocketFrameTracker {
        var tracker = WebSocketFrameTracker()
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            #expect(tracker.advance(over: ByteBuffer(bytes: bytes[start..<end])) == end - start)
            start = end
        }
        return tracker
    }

    @Test(arguments: [1, 2, 3, 7, 100_000])
    func wholeMessagesOfEverySizeEndAtABoundary(chunk: Int) {
        for size in [0, 1, 125, 126, 127, 65535, 65536, 70_000] {
            for masked in [false, true] {
                #expect(
                    Self.follow(Self.frame(0x2, payload: size, masked: masked), chunk: chunk).atMessageBoundary,
                    "size \(size), masked \(masked), reads of \(chunk)")
            }
        }
    }

    @Test(arguments: [1, 5, 1000])
    func partOfAFrameIsNotABoundary(chunk: Int) {
        let whole = Self.frame(0x1, payload: 300, masked: true)
        for cut in [1, 2, 4, 7, 8, 100, whole.count - 1] {
            #expect(!Self.follow(Array(whole[..<cut]), chunk: chunk).atMessageBoundary, "cut at \(cut)")
        }
    }

    @Test func aFragmentedMessageEndsWithItsFinalFrameNotWithTheControlFramesBetween() {
        let first = Self.frame(0x1, fin: false, payload: 10)
        let ping = Self.frame(0x9, payload: 4)
        let middle = Self.frame(0x0, fin: false, payload: 3)
        let last = Self.frame(0x0, payload: 5)
        #expect(!Self.follow(first, chunk: 3).atMessageBoundary)
        #expect(!Self.follow(first + ping, chunk: 3).atMessageBoundary, "a ping between fragments")
        #expect(!Self.follow(first + ping + middle, chunk: 3).atMessageBoundary)
        #expect(Self.follow(first + ping + middle + last, chunk: 3).atMessageBoundary)
        #expect(Self.follow(ping, chunk: 1).atMessageBoundary, "a control frame alone")
    }

    @Test func stoppingAtTheBoundaryTakesOnlyTheRestOfTheCurrentMessage() {
        let current = Self.frame(0x2, fin: false, payload: 20) + Self.frame(0x0, payload: 6)
        let next = Self.frame(0x1, payload: 9)
        var tracker = WebSocketFrameTracker()
        #expect(tracker.advance(over: ByteBuffer(bytes: current[..<5])) == 5)
        let rest = ByteBuffer(bytes: Array(current[5...]) + next)
        #expect(tracker.advance(over: rest, stoppingAtBoundary: true) == current.count - 5)
        #expect(tracker.atMessageBoundary)
        #expect(tracker.advance(over: ByteBuffer(bytes: next), stoppingAtBoundary: true) == 0, "already between messages")
    }

    @Test func theCloseFrameIsMaskedOnlyTowardsTheUpstream() {
        var plain = WebSocketCloseFrame.make(code: 1001, reason: "gateway shutting down", masked: false)
        #expect(plain.readBytes(length: 4) == [0x88, 23, 0x03, 0xe9])
        #expect(plain.readString(length: plain.readableBytes) == "gateway shutting down")

        var masked = WebSocketCloseFrame.make(code: 1001, reason: "idle timeout", masked: true)
        #expect(masked.readBytes(length: 2) == [0x88, 0x80 | 14])
        let key = masked.readBytes(length: 4)!
        let payload = masked.readBytes(length: masked.readableBytes)!.enumerated().map { $0.element ^ key[$0.offset % 4] }
        #expect(payload == [0x03, 0xe9] + Array("idle timeout".utf8))
        var tracker = WebSocketFrameTracker()
        _ = tracker.advance(over: WebSocketCloseFrame.make(code: 1001, reason: "x", masked: true))
        #expect(tracker.atMessageBoundary)
    }
}
