/// Follows a chunked body (RFC 9112 section 7.1) through a connection's bytes as they arrive,
/// without copying them: each step says which bytes are chunk data, which are framing, and where
/// the body ends. Under the scanners' rule (never accept what llhttp refuses, checked against
/// NIO's decoder by `ChunkedBodyScannerTests`) and stricter where they could differ: sizes of
/// at most 15 hex digits, no chunk extensions, CRLF line ends only, trailer fields by
/// `HeadCursor.fields()` and never a framing field among them.
struct ChunkedBodyScanner: Equatable {
    enum Step: Equatable {
        /// `range` of the given bytes is chunk data; the bytes before it were framing.
        case data(Range<Int>)
        /// The body ended after `consumed` bytes; the trailer fields, if any, are at offsets
        /// from `trailersStart`.
        case end(consumed: Int, trailersStart: Int, trailers: ScannedFields?)
        /// Every given byte from `consumed` on belongs to a line not yet complete: call again
        /// with them and what follows.
        case needMoreBytes(consumed: Int)
        case refused(String)
    }

    private enum State: Equatable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers
        case ended
    }

    private var state = State.size

    /// The next step over `bytes`, which start where the previous step's consumption ended.
    mutating func next(_ bytes: UnsafeRawBufferPointer) -> Step {
        var index = 0
        while true {
            switch state {
            case .size:
                // 1*HEXDIG CRLF; the last chunk is a size of zero.
                var size = 0
                var digits = 0
                while index + digits < bytes.count, let value = Self.hexValue(bytes[index + digits]) {
                    guard digits < 15 else { return .refused("a chunk size of more than 15 hex digits") }
                    size = size << 4 | value
                    digits += 1
                }
                guard index + digits + 1 < bytes.count else { return .needMoreBytes(consumed: index) }
                guard digits > 0, bytes[index + digits] == 0x0D, bytes[index + digits + 1] == 0x0A else {
                    return .refused("a chunk size line that is not hex digits and CRLF")
                }
                index += digits + 2
                state = size == 0 ? .trailers : .data(remaining: size)
            case let .data(remaining):
                guard index < bytes.count else { return .needMoreBytes(consumed: index) }
                let count = min(remaining, bytes.count - index)
                state = count == remaining ? .dataEnd : .data(remaining: remaining - count)
                return .data(index..<index + count)
            case .dataEnd:
                guard index + 1 < bytes.count else { return .needMoreBytes(consumed: index) }
                guard bytes[index] == 0x0D, bytes[index + 1] == 0x0A else { return .refused("chunk data not followed by CRLF") }
                index += 2
                state = .size
            case .trailers:
                let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
                var cursor = HeadCursor(bytes: rest)
                let scan = cursor.fields()
                if cursor.refusesLongHead(scan) { return .refused(cursor.tooLong("trailer section")) }
                switch scan {
                case .needMoreBytes: return .needMoreBytes(consumed: index)
                case let .refused(reason): return .refused(reason)
                case let .head(fields):
                    guard fields.contentLength == nil, fields.transferEncodings == 0 else {
                        return .refused("a framing field among the trailers")
                    }
                    state = .ended
                    return .end(consumed: index + fields.end, trailersStart: index, trailers: fields.lines.isEmpty ? nil : fields)
                }
            case .ended:
                return .refused("bytes after the end of a chunked body")
            }
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }
}
