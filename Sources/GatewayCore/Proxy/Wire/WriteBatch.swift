import NIOCore

/// The small buffers written to one connection between two flushes, leaving as one: each is
/// copied behind the first rather than written on its own. Every channel write costs a step
/// through the pipeline, a pending-write entry and an iovec; an answer's head and its few
/// hundred body bytes, or a request's head and its 2 KiB body, are cheaper copied. A buffer
/// larger than `copyLimit` is written as it is, after what was held.
///
/// The owner writes what `take()` gives before it flushes, and before any other write to the
/// connection, so the bytes keep their order.
struct WriteBatch {
    /// Buffers up to this size are copied into the batch.
    static let copyLimit = 4096
    /// The batch itself is written once it holds this much.
    static let batchLimit = 16 * 1024

    private var held: ByteBuffer?

    var isEmpty: Bool { held == nil }

    /// Adds `buffer` to the batch, or hands `write` what the batch held and then `buffer`.
    @inline(__always)
    mutating func add(_ buffer: ByteBuffer, write: (ByteBuffer) -> Void) {
        let count = buffer.readableBytes
        guard count <= Self.copyLimit else {
            if let held = take() { write(held) }
            return write(buffer)
        }
        guard held != nil else {
            held = buffer
            return
        }
        held!.writeImmutableBuffer(buffer)  // in place when the held buffer is the batch's own
        if held!.readableBytes >= Self.batchLimit, let held = take() { write(held) }
    }

    /// What the batch holds, which the caller writes now; the batch is empty after.
    mutating func take() -> ByteBuffer? {
        defer { held = nil }
        return held
    }

    /// Forgets what the batch holds (its connection is closing).
    mutating func drop() {
        held = nil
    }
}
