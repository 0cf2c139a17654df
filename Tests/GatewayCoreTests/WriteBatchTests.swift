import NIOCore
import Testing

@testable import GatewayCore

/// Small buffers written between two flushes leave as one; a large one is written as it is,
/// after what was held; the bytes keep their order whatever the mix.
@Suite("write batch")
struct WriteBatchTests {
    /// Adds each of `pieces`, then takes what is held: the writes the connection would see.
    static func writes(_ pieces: [String]) -> [String] {
        var batch = WriteBatch()
        var written: [String] = []
        for piece in pieces { batch.add(ByteBuffer(string: piece)) { written.append(String(buffer: $0)) } }
        if let held = batch.take() { written.append(String(buffer: held)) }
        #expect(batch.isEmpty)
        return written
    }

    @Test func smallBuffersLeaveAsOne() {
        #expect(Self.writes(["HTTP/1.1 200 OK\r\n\r\n", "hello", "0\r\n\r\n"]) == ["HTTP/1.1 200 OK\r\n\r\nhello0\r\n\r\n"])
    }

    @Test func aLargeBufferIsWrittenAsItIsAfterWhatWasHeld() {
        let large = String(repeating: "b", count: WriteBatch.copyLimit + 1)
        #expect(Self.writes(["head", large, "tail"]) == ["head", large, "tail"])
        #expect(Self.writes([large]) == [large])
    }

    @Test func theBatchIsWrittenOnceItHoldsItsLimit() {
        let piece = String(repeating: "c", count: WriteBatch.copyLimit)
        let written = Self.writes(Array(repeating: piece, count: 5))
        #expect(written.map(\.utf8.count) == [WriteBatch.batchLimit, WriteBatch.copyLimit])
        #expect(written.joined() == String(repeating: piece, count: 5))
    }

    @Test func aHeldSliceOfAnotherBufferIsCopiedNotChanged() {
        let read = ByteBuffer(string: "HEADbody")
        var batch = WriteBatch()
        batch.add(read.getSlice(at: 0, length: 4)!) { _ in Issue.record("nothing is written yet") }
        batch.add(ByteBuffer(string: "!")) { _ in Issue.record("nothing is written yet") }
        #expect(batch.take().map { String(buffer: $0) } == "HEAD!")
        #expect(String(buffer: read) == "HEADbody", "the buffer the slice came from is left as it was")
    }

    @Test func aDroppedBatchWritesNothing() {
        var batch = WriteBatch()
        batch.add(ByteBuffer(string: "gone")) { _ in Issue.record("nothing is written") }
        batch.drop()
        #expect(batch.take() == nil)
    }

    static func address(_ buffer: ByteBuffer) -> UnsafeRawPointer? {
        buffer.withUnsafeReadableBytes { $0.baseAddress }
    }

    /// The batch's own buffer is written into again once the written one is let go; while a
    /// write still holds it, the next batch gets new memory and the held bytes stay as they were.
    @Test func theBatchsOwnMemoryIsReusedOnlyOnceNoOneElseHoldsIt() {
        var batch = WriteBatch()
        var allocations = 0
        func write(_ text: String) {
            batch.write(capacity: 64) {
                $0.writeString(text)
            } allocate: {
                allocations += 1
                return ByteBufferAllocator().buffer(capacity: 64)
            }
        }
        write("first answer")
        var first = batch.take()
        let firstAddress = first.flatMap(Self.address)
        first = nil  // the channel is done with it
        write("second")
        #expect(allocations == 1)
        let second = batch.take()
        #expect(second.flatMap(Self.address) == firstAddress && second.map { String(buffer: $0) } == "second")
        write("third")  // `second` is still held: new memory
        #expect(second.map { String(buffer: $0) } == "second", "a buffer being written is never written into")
        #expect(batch.take().flatMap(Self.address) != firstAddress)
    }

    /// True when the batch's next own write takes new memory (nothing kept from the last one).
    static func nextWriteAllocates(_ batch: inout WriteBatch) -> Bool {
        var allocated = false
        batch.write(capacity: 8) {
            $0.writeString("x")
        } allocate: {
            allocated = true
            return ByteBuffer()
        }
        return allocated
    }

    @Test func aBufferTheBatchWasGivenIsNeverKept() {
        var batch = WriteBatch()
        batch.add(ByteBuffer(string: "read from a socket")) { _ in }
        _ = batch.take()
        #expect(Self.nextWriteAllocates(&batch))
    }

    @Test func aBatchBeyondTheSpareLimitIsNotKept() {
        var batch = WriteBatch()
        batch.write(capacity: WriteBatch.spareLimit * 2) {
            $0.writeString("big")
        } allocate: {
            ByteBufferAllocator().buffer(capacity: WriteBatch.spareLimit * 2)
        }
        _ = batch.take()
        #expect(Self.nextWriteAllocates(&batch))
    }
}
