import NIOCore

/// Writes a head's pieces into memory reserved for them at once. `ByteBuffer`'s own writes
/// check capacity and uniqueness each time, which shows in the profile when a head is a dozen
/// small pieces; here the whole head (or line) costs one check.
struct HeadWriter {
    private let out: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    private init(out: UnsafeMutableRawBufferPointer) {
        self.out = out
    }

    /// Runs `body` with a writer over `capacity` writable bytes of `buffer` and adds what it
    /// wrote to the buffer. Writing more than `capacity` bytes traps.
    @inline(__always)
    static func write(into buffer: inout ByteBuffer, capacity: Int, _ body: (inout HeadWriter) -> Void) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { out in
            var writer = HeadWriter(out: UnsafeMutableRawBufferPointer(rebasing: out.prefix(capacity)))
            body(&writer)
            return writer.count
        }
    }

    /// The bytes `line(_:_:)` writes for a field of these sizes.
    @inline(__always)
    static func lineSize(name: Int, value: Int) -> Int { name + value + 4 }

    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        precondition(bytes.count <= out.count - count, "a head piece beyond the reserved capacity")
        Self.copy(bytes.count, from: source, to: out.baseAddress! + count)
        count += bytes.count
    }

    /// Copies `count` bytes. Pieces of up to 16 bytes (a separator, a CRLF, most names) take two
    /// loads and two stores of one width, overlapping when the count is not a multiple of it: a
    /// call to `memcpy` for each cost more than the copy (and a byte loop becomes one).
    @inline(__always)
    static func copy(_ count: Int, from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer) {
        @inline(__always)
        func two<Word: FixedWidthInteger>(_: Word.Type) {
            let tail = count - MemoryLayout<Word>.size
            let first = source.loadUnaligned(as: Word.self)
            let last = source.loadUnaligned(fromByteOffset: tail, as: Word.self)
            destination.storeBytes(of: first, as: Word.self)
            destination.storeBytes(of: last, toByteOffset: tail, as: Word.self)
        }
        switch count {
        case 0: break
        case 1: destination.storeBytes(of: source.load(as: UInt8.self), as: UInt8.self)
        case 2...3: two(UInt16.self)
        case 4...7: two(UInt32.self)
        case 8...16: two(UInt64.self)
        default: destination.copyMemory(from: source, byteCount: count)
        }
    }

    @inline(__always)
    mutating func write(_ string: StaticString) {
        string.withUTF8Buffer { write(UnsafeRawBufferPointer($0)) }
    }

    /// `string`'s bytes in one copy (`ByteBuffer.writeString` reads a small string byte by byte).
    /// Read in place: `withUTF8` on a copy would retain and release the string's storage.
    @inline(__always)
    mutating func write(_ string: String) {
        let written: Void? = string.utf8.withContiguousStorageIfAvailable { write(UnsafeRawBufferPointer($0)) }
        if written == nil {
            for byte in string.utf8 { write(byte) }
        }
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        precondition(count < out.count, "a head piece beyond the reserved capacity")
        out[count] = byte
        count += 1
    }

    /// `value` in decimal digits (a negative value as 0: lengths only).
    mutating func decimal(_ value: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 19 digits of Int.max
        var remaining = UInt(max(value, 0))
        var count = 0
        withUnsafeMutableBytes(of: &digits) { digits in
            repeat {
                digits[23 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            } while remaining > 0
            write(UnsafeRawBufferPointer(rebasing: digits[(24 - count)...]))
        }
    }

    /// `name: value` and its CRLF, for a name known only at run time (a literal name takes the
    /// `StaticString` form: its bytes are copied without reading a string).
    @inline(__always)
    mutating func line(named name: String, _ value: String) {
        write(name)
        write(": ")
        write(value)
        write("\r\n")
    }

    @inline(__always)
    mutating func line(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        write(name)
        write(": ")
        write(value)
        write("\r\n")
    }

    @inline(__always)
    mutating func line(_ name: StaticString, _ value: String) {
        write(name)
        write(": ")
        write(value)
        write("\r\n")
    }
}
