import NIOCore
import NIOHTTP1

/// Parts of pipelined requests that arrived while a response was still being made, in order.
/// Reads stop only when it grows large, so the common case never toggles read interest.
struct PipelineQueue {
    static let maxBytes = 256 * 1024

    private var parts = CircularBuffer<CallerRequestPart>()
    /// Body bytes held, plus a nominal 64 per head or end.
    private(set) var bytes = 0

    var isEmpty: Bool { parts.isEmpty }
    /// Reading more would hold too much: reads wait until the queue drains.
    var isFull: Bool { bytes >= Self.maxBytes }

    mutating func append(_ part: CallerRequestPart) {
        parts.append(part)
        bytes += Self.weight(part)
    }

    mutating func popFirst() -> CallerRequestPart? {
        guard let part = parts.popFirst() else { return nil }
        bytes = parts.isEmpty ? 0 : bytes - Self.weight(part)
        return part
    }

    private static func weight(_ part: CallerRequestPart) -> Int {
        if case let .body(buffer) = part { return buffer.readableBytes }
        return 64
    }
}
