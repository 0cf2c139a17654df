import NIOCore
import NIOHTTP1

/// The request head the gateway sends upstream, kept as the bytes it writes: the request line
/// and the fields, each line with its CRLF, built once by `RequestRewriter`. The framing is
/// kept apart and written last by `UpstreamRequestEncoder`, which then holds the body to it:
/// the head declares exactly one framing, the gateway's (a collected body that was rewritten
/// changes only `framing`).
struct UpstreamRequestHead {
    let method: HTTPMethod
    /// How the body is delimited; its field is written after `lines`.
    var framing: RequestFraming
    /// The request line and the fields, without the framing field and the blank line.
    private(set) var lines: ByteBuffer

    init(method: HTTPMethod, uri: String, framing: RequestFraming, capacity: Int = 512) {
        self.init(method: method, path: uri, remainder: "", framing: framing, capacity: capacity)
    }

    /// The request target is `path` followed by `remainder`, written as they are (no string
    /// is made of the two).
    init(method: HTTPMethod, path: String, remainder: Substring, framing: RequestFraming, capacity: Int = 512) {
        self.method = method
        self.framing = framing
        lines = ByteBuffer()
        lines.reserveCapacity(capacity)
        // NIO spells the parsed `M-SEARCH` method `MSEARCH`; write it as the caller sent it.
        let name = method == .MSEARCH ? "M-SEARCH" : method.rawValue
        var remainder = remainder
        remainder.withUTF8 { remainder in
            HeadWriter.write(into: &lines, capacity: name.utf8.count + path.utf8.count + remainder.count + 12) { line in
                line.write(name)
                line.write(" ")
                line.write(path)
                line.write(UnsafeRawBufferPointer(remainder))
                line.write(" HTTP/1.1\r\n")
            }
        }
    }

    /// The request target, as written in the request line (for tracing and tests).
    var uri: String {
        lines.withUnsafeReadableBytes { raw in
            let start = (raw.firstIndex(of: UInt8(ascii: " ")) ?? 0) + 1
            let lineEnd = raw.firstIndex(of: 0x0D) ?? raw.count
            return String(decoding: raw[start..<max(start, lineEnd - " HTTP/1.1".utf8.count)], as: UTF8.self)
        }
    }

    /// Adds `name: value`. The names are the caller's (after the rewriter's filter) or the
    /// gateway's own; never a framing field (`framing` says that).
    mutating func add(_ name: String, _ value: String) {
        HeadWriter.write(into: &lines, capacity: HeadWriter.lineSize(name: name.utf8.count, value: value.utf8.count)) {
            $0.line(name, value)
        }
    }

    /// Adds the lines `body` writes (whole `name: value` lines with their CRLF), into
    /// `capacity` bytes reserved at once.
    mutating func append(capacity: Int, _ body: (inout HeadWriter) -> Void) {
        HeadWriter.write(into: &lines, capacity: capacity, body)
    }

    /// Leaves out every field named one of `names`, in any case (the caller's trace context,
    /// before the gateway writes its own). Off the hot path: only traced exchanges ask.
    mutating func remove(_ names: [String]) {
        var kept = ByteBuffer()
        kept.reserveCapacity(lines.readableBytes)
        lines.withUnsafeReadableBytes { raw in
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
        lines = kept
    }

    /// The head's bytes: the lines, the framing field, the blank line.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(lines)
        switch framing {
        case .none: break
        case let .length(count):
            buffer.writeStaticString("content-length: ")
            buffer.writeString(String(count))
            buffer.writeStaticString("\r\n")
        case .chunked: buffer.writeStaticString("transfer-encoding: chunked\r\n")
        }
        buffer.writeStaticString("\r\n")
    }

    /// The size `write(into:)` needs, about.
    var byteCount: Int { lines.readableBytes + 32 }
}
