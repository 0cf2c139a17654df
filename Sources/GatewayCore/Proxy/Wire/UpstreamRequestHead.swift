import NIOCore
import NIOHTTP1

/// The request head the gateway sends upstream, kept as the bytes it writes: the request line,
/// the fields, the framing field and the blank line, built once by `RequestRewriter` and written
/// as they are (`UpstreamRequestEncoder` then holds the body to the framing). The framing is
/// always the head's last field, the gateway's own: it is written after whatever is added, and
/// a collected body that was rewritten changes only `framing`.
struct UpstreamRequestHead {
    let method: HTTPMethod
    /// How the body is delimited; its field ends the head.
    var framing: RequestFraming {
        didSet { if framing != oldValue { writeEnd() } }
    }
    /// The whole head, as it goes upstream.
    private(set) var bytes: ByteBuffer
    /// Where the framing field (or, without one, the blank line) starts in `bytes`.
    private var fieldsEnd: Int

    init(method: HTTPMethod, uri: String, framing: RequestFraming, capacity: Int = 512) {
        self.init(method: method, path: uri, remainder: "", framing: framing, capacity: capacity)
    }

    /// The request target is `path` followed by `remainder`, written as they are (no string
    /// is made of the two). `storage`: a buffer of an earlier head to write into, when nothing
    /// else refers to it any more (else new memory is taken).
    init(
        method: HTTPMethod, path: String, remainder: Substring, framing: RequestFraming, capacity: Int = 512,
        reusing storage: consuming ByteBuffer? = nil
    ) {
        self.method = method
        self.framing = framing
        bytes = storage ?? ByteBuffer()
        fieldsEnd = 0
        bytes.clear(minimumCapacity: capacity + Self.endCapacity)
        // NIO spells the parsed `M-SEARCH` method `MSEARCH`; write it as the caller sent it.
        let name = method == .MSEARCH ? "M-SEARCH" : method.rawValue
        var remainder = remainder
        remainder.withUTF8 { remainder in
            HeadWriter.write(into: &bytes, capacity: name.utf8.count + path.utf8.count + remainder.count + 12) { line in
                line.write(name)
                line.write(" ")
                line.write(path)
                line.write(UnsafeRawBufferPointer(remainder))
                line.write(" HTTP/1.1\r\n")
            }
        }
        fieldsEnd = bytes.writerIndex
        writeEnd()
    }

    /// The most `writeEnd` writes: `content-length: ` and 19 digits, two CRLFs.
    private static let endCapacity = 40

    /// Writes the framing field and the blank line after the fields, in place of the old ones.
    private mutating func writeEnd() {
        bytes.moveWriterIndex(to: fieldsEnd)
        let framing = self.framing
        HeadWriter.write(into: &bytes, capacity: Self.endCapacity) { end in
            switch framing {
            case .none: break
            case let .length(count):
                end.write("content-length: ")
                end.decimal(count)
                end.write("\r\n")
            case .chunked: end.write("transfer-encoding: chunked\r\n")
            }
            end.write("\r\n")
        }
    }

    /// The request target, as written in the request line (for tracing and tests).
    var uri: String {
        bytes.withUnsafeReadableBytes { raw in
            let start = (raw.firstIndex(of: UInt8(ascii: " ")) ?? 0) + 1
            let lineEnd = raw.firstIndex(of: 0x0D) ?? raw.count
            return String(decoding: raw[start..<max(start, lineEnd - " HTTP/1.1".utf8.count)], as: UTF8.self)
        }
    }

    /// Adds `name: value`. The names are the caller's (after the rewriter's filter) or the
    /// gateway's own; never a framing field (`framing` says that).
    mutating func add(_ name: String, _ value: String) {
        append(capacity: HeadWriter.lineSize(name: name.utf8.count, value: value.utf8.count)) { $0.line(named: name, value) }
    }

    /// Adds the lines `body` writes (whole `name: value` lines with their CRLF), into
    /// `capacity` bytes reserved at once.
    mutating func append(capacity: Int, _ body: (inout HeadWriter) -> Void) {
        bytes.moveWriterIndex(to: fieldsEnd)
        HeadWriter.write(into: &bytes, capacity: capacity, body)
        fieldsEnd = bytes.writerIndex
        writeEnd()
    }

    /// Leaves out every field named one of `names`, in any case (the caller's trace context,
    /// before the gateway writes its own). Off the hot path: only traced exchanges ask.
    mutating func remove(_ names: [String]) {
        var kept = ByteBuffer()
        kept.reserveCapacity(bytes.readableBytes)
        bytes.withUnsafeReadableBytes { whole in
            let raw = UnsafeRawBufferPointer(rebasing: whole[..<fieldsEnd])
            var start = 0
            var first = true
            while start < raw.count {
                var end = start
                while end + 1 < raw.count, !(raw[end] == 0x0D && raw[end + 1] == 0x0A) { end += 1 }
                let line = UnsafeRawBufferPointer(rebasing: raw[start..<min(end + 2, raw.count)])
                let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
                let name = line[..<colon]
                let named = names.contains { other in
                    other.utf8.count == name.count
                        && zip(other.utf8, name).allSatisfy { HeaderName.lower($0) == HeaderName.lower($1) }
                }
                if first || !named {
                    kept.writeBytes(line)
                }
                first = false
                start = end + 2
            }
        }
        bytes = kept
        fieldsEnd = kept.writerIndex
        writeEnd()
    }

    /// Appends the head's bytes to `buffer`.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(bytes)
    }
}
