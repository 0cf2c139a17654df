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

    /// Buffers the batch made itself are kept for the next batch up to this size (a head and a
    /// small body): a connection's memory between requests stays small.
    static let spareLimit = 1024

    private var held: ByteBuffer?
    /// `held` is the batch's own buffer (`write(capacity:_:)`), not one it was given.
    private var heldIsOwn = false
    /// The batch's last own buffer, written and kept: once the channel is done with it, the
    /// batch holds its only reference and writes the next batch into the same memory, so an
    /// answer costs no allocation. (A buffer the batch was given is never kept: it may be
    /// memory NIO's read allocator reuses once no one else holds it.)
    private var spare: ByteBuffer?

    var isEmpty: Bool { held == nil }

    /// Has `body` write into the batch: behind what it holds, or into its own buffer of at least
    /// `capacity` bytes (the spare one when nothing else refers to it any more).
    @inline(__always)
    mutating func write(capacity: Int, _ body: (inout ByteBuffer) -> Void, allocate: () -> ByteBuffer) {
        guard held == nil else { return body(&held!) }
        if var own = spare {
            spare = nil
            own.clear(minimumCapacity: capacity)  // a new buffer if the channel still holds this one
            held = own
        } else {
            held = allocate()
        }
        heldIsOwn = true
        body(&held!)
    }

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
        if heldIsOwn, let held, held.capacity <= Self.spareLimit { spare = held }
        heldIsOwn = false
        return held
    }

    /// Forgets what the batch holds (its connection is closing).
    mutating func drop() {
        held = nil
        heldIsOwn = false
        spare = nil
    }
}
