/// The header fields of a scanned head, as offsets from the head's first byte, and the framing
/// they declare.
struct ScannedFields: Equatable {
    struct Field: Equatable {
        var name: Range<Int>
        /// The value after the optional whitespace before it, up to the line end: whitespace at
        /// its end is kept (as llhttp keeps it, and as it is forwarded).
        var value: Range<Int>
    }

    // Stored small after large: the heads that hold this value are copied whole, and a few
    // bytes more made each copy a `memcpy` call (bench/counts).
    var lines: [Field] = []
    /// Where the head ends, its empty line included: the body (if any) starts there.
    var end = 0
    /// The head has a `Transfer-Encoding` line (one at most).
    var transferEncodings = 0
    /// The `Content-Length` the fields declare (one, digits only), or nil.
    var contentLength: Int?
    /// `Transfer-Encoding: chunked`, exactly.
    var chunked = false
    /// `Connection` lines whose value is exactly `keep-alive` or `close` (any case), and the
    /// number of the others (lists, other tokens). Most heads have only the first kind or no
    /// line at all, and then the hop-by-hop rules (keep-alive, extra hop-by-hop names, a
    /// protocol switch) are read without a pass over the lines.
    var connectionKeepAlive = false
    var connectionClose = false
    var connectionLists: UInt16 = 0
    /// A transfer coding other than `chunked` alone (another coding, a list):
    /// nothing frames the body exactly, so no body is read after such a head.
    var otherTransferCoding: Bool { transferEncodings > 0 && !chunked }

    /// Notes a `Connection` line's value.
    @inline(__always)
    mutating func noteConnection<Value: Collection<UInt8>>(_ value: Value) {
        if HeaderName.equals(bytes: value, "keep-alive") {
            connectionKeepAlive = true
        } else if HeaderName.equals(bytes: value, "close") {
            connectionClose = true
        } else if connectionLists < .max {  // a 64 KiB head holds far fewer lines
            connectionLists += 1
        }
    }

    /// The first line whose name is `lowercase` in any case; `raw` is the head's bytes.
    func first(_ lowercase: StaticString, in raw: UnsafeRawBufferPointer) -> Field? {
        lines.first { HeaderName.equals(bytes: raw[$0.name], lowercase) }
    }
}
