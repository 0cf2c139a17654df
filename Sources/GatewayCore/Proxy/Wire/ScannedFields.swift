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
    /// `Transfer-Encoding: chunked` (the only transfer coding a head may declare here).
    var chunked = false
    /// Where the head ends, its empty line included: the body (if any) starts there.
    var end = 0
}
