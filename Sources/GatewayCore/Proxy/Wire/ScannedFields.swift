/// The header fields of a scanned head, as offsets from the head's first byte, and the framing
/// they declare.
struct ScannedFields: Equatable {
    struct Field: Equatable {
        var name: Range<Int>
        /// The value after the optional whitespace before it, up to the line end: whitespace at
        /// its end is kept (as llhttp keeps it, and as it is forwarded).
        var value: Range<Int>
    }

    var lines: [Field] = []
    /// The `Content-Length` the fields declare (one, digits only), or nil.
    var contentLength: Int?
    /// `Transfer-Encoding: chunked`, exactly.
    var chunked = false
    /// The head has a `Transfer-Encoding` line (one at most).
    var transferEncodings = 0
    /// A transfer coding other than `chunked` alone (another coding, a list):
    /// nothing frames the body exactly, so no body is read after such a head.
    var otherTransferCoding: Bool { transferEncodings > 0 && !chunked }
    /// Where the head ends, its empty line included: the body (if any) starts there.
    var end = 0

    /// The first line whose name is `lowercase` in any case; `raw` is the head's bytes.
    func first(_ lowercase: StaticString, in raw: UnsafeRawBufferPointer) -> Field? {
        lines.first { HeaderName.equals(bytes: raw[$0.name], lowercase) }
    }
}
