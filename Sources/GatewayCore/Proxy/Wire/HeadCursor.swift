/// Reads a head's bytes, up to a limit, for `RequestHeadScanner` and `ResponseHeadScanner`:
/// byte classes by table, the version, and the header fields both kinds of head share.
struct HeadCursor {
    let bytes: UnsafeRawBufferPointer
    let limit: Int
    let maxHeadBytes: Int
    var index = 0
    /// The storage `fields()` fills (emptied first): a reader hands back the array of its last
    /// head, which is no longer shared once that head is gone, so a head costs no allocation.
    private var storage: [ScannedFields.Field]

    /// The data path's limit on a head's size (the one `RequestHeadSummary` applies today).
    static let defaultMaxHeadBytes = RequestHeadSummary.maxHeaderBytes

    init(bytes: UnsafeRawBufferPointer, maxHeadBytes: Int = Self.defaultMaxHeadBytes, reusing storage: consuming [ScannedFields.Field] = []) {
        self.bytes = bytes
        self.limit = min(bytes.count, maxHeadBytes)
        self.maxHeadBytes = maxHeadBytes
        self.storage = storage
    }

    /// Scans a head out of `bytes` with `scanHead` (a head still unfinished at the limit is
    /// refused: `what` names it). `storage`: an array the fields may be written into.
    static func scan<Head>(
        _ bytes: UnsafeRawBufferPointer, maxHeadBytes: Int, reusing storage: consuming [ScannedFields.Field], what: String,
        _ scanHead: (inout HeadCursor) -> HeadScan<Head>
    ) -> HeadScan<Head> {
        var cursor = HeadCursor(bytes: bytes, maxHeadBytes: maxHeadBytes, reusing: consume storage)
        // Scanned first: the cursor as `self` of the call would be a copy taken before the scan,
        // sharing the field storage the scan writes into.
        let scan = scanHead(&cursor)
        return cursor.refusesLongHead(scan) ? .refused(cursor.tooLong(what)) : scan
    }

    /// A head still unfinished at the limit is refused rather than awaited. (A question rather
    /// than a function returning the scan: that would copy the scan, fields and all.)
    @inline(__always)
    func refusesLongHead<Head>(_ scan: HeadScan<Head>) -> Bool {
        guard case .needMoreBytes = scan else { return false }
        return bytes.count >= maxHeadBytes
    }

    func tooLong(_ what: String) -> String { "the \(what) is longer than \(maxHeadBytes) bytes" }

    /// The header fields after the start line, up to the empty line. A name is a token followed
    /// by a colon (no whitespace between); a value is visible characters, obs-text, spaces and
    /// tabs; lines end in CRLF; a folded line (starting with whitespace) is refused at its name.
    /// One `Content-Length` of digits (spaces after them are optional whitespace; llhttp refuses
    /// a tab there), never with a `Transfer-Encoding`. One `Transfer-Encoding` line: `chunked` when it is exactly
    /// `chunked`; any other coding is the caller's to refuse (`ScannedFields.otherTransferCoding`).
    mutating func fields() -> HeadScan<ScannedFields> {
        var fields = ScannedFields()
        swap(&fields.lines, &storage)
        // Kept when the array is no longer shared (else a new one: a copy-on-write).
        fields.lines.removeAll(keepingCapacity: true)
        // Room for a usual head's fields in one allocation (growing 1, 2, 4, 8, 16 was four).
        fields.lines.reserveCapacity(16)
        while true {
            guard let first = peek() else { return .needMoreBytes }
            if first == 0x0D {
                guard index + 1 < limit else { return .needMoreBytes }
                guard bytes[index + 1] == 0x0A else { return .refused("a CR without LF") }
                guard fields.transferEncodings == 0 || fields.contentLength == nil else {
                    return .refused("both Content-Length and Transfer-Encoding")
                }
                fields.end = index + 2
                return .head(fields)
            }
            let name = skip(while: Self.isToken)
            guard index < limit else { return .needMoreBytes }
            guard !name.isEmpty, take(UInt8(ascii: ":")) else {
                return .refused("a header line that is not a token, a colon and a value")
            }
            _ = skip(while: { $0 == 0x20 || $0 == 0x09 })
            let value = skipFieldValue()
            guard index + 1 < limit else { return .needMoreBytes }
            guard take(0x0D), take(0x0A) else {
                return .refused("a header value with a control character or a line end that is not CRLF")
            }
            if equalsFolded(name, "content-length") {
                var digits = value
                while !digits.isEmpty, bytes[digits.upperBound - 1] == 0x20 { digits = digits.dropLast() }
                guard fields.contentLength == nil, let length = decimal(digits) else {
                    return .refused("a Content-Length that is not one number")
                }
                fields.contentLength = length
            } else if equalsFolded(name, "transfer-encoding") {
                // llhttp refuses a second line before it passes the head on.
                guard fields.transferEncodings == 0 else { return .refused("Transfer-Encoding given twice") }
                fields.transferEncodings = 1
                fields.chunked = equalsFolded(value, "chunked")
                // Nor does it pass on a list with `chunked` anywhere but last.
                guard fields.chunked || !chunkedBeforeTheLast(value) else {
                    return .refused("chunked is not the last transfer coding")
                }
            } else if equalsFolded(name, "connection") {
                fields.noteConnection(bytes[value])
            }
            fields.lines.append(.init(name: name, value: value))
        }
    }

    /// True when a coding before the last in the list `value` is `chunked`.
    func chunkedBeforeTheLast(_ value: Range<Int>) -> Bool {
        var start = value.lowerBound
        for position in value where bytes[position] == UInt8(ascii: ",") {
            var token = start..<position
            while !token.isEmpty, bytes[token.lowerBound] == 0x20 || bytes[token.lowerBound] == 0x09 { token = token.dropFirst() }
            while !token.isEmpty, bytes[token.upperBound - 1] == 0x20 || bytes[token.upperBound - 1] == 0x09 { token = token.dropLast() }
            if equalsFolded(token, "chunked") { return true }
            start = position + 1
        }
        return false
    }

    /// `HTTP/1.0` or `HTTP/1.1`: its minor version, or nil.
    mutating func version() -> Int? {
        guard index + 8 <= limit, equals(index..<index + 7, "HTTP/1."), bytes[index + 7] == 0x30 || bytes[index + 7] == 0x31 else {
            return nil
        }
        defer { index += 8 }
        return Int(bytes[index + 7] - 0x30)
    }

    func peek() -> UInt8? { index < limit ? bytes[index] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    /// Moves past the bytes `accepted` accepts; returns their range.
    mutating func skip(while accepted: (UInt8) -> Bool) -> Range<Int> {
        let start = index
        while index < limit, accepted(bytes[index]) { index += 1 }
        return start..<index
    }

    /// `skip(while: isFieldValue)`, eight bytes at a time: a word of visible characters,
    /// obs-text and spaces is passed whole; from the first word holding another byte (the CR
    /// that ends the value, a tab, a control character) the bytes are read one by one. Values
    /// are most of a head's bytes.
    mutating func skipFieldValue() -> Range<Int> {
        let start = index
        while index + 8 <= limit {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            guard !Self.holdsNonValueByte(word) else { break }
            index += 8
        }
        while index < limit, Self.isFieldValue(bytes[index]) { index += 1 }
        return start..<index
    }

    /// True when a byte of `word` is below 0x20 or is 0x7F (one of them is a tab, which a value
    /// may hold, or not). The classic tests of "a byte below n" and "a zero byte" (that of
    /// `word ^ 0x7F...`): exact for the word as a whole, which is all this asks.
    @inline(__always)
    static func holdsNonValueByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below20 = (word &- 0x20 &* ones) & ~word & highs
        let delete = word ^ (0x7F &* ones)
        let is7F = (delete &- ones) & ~delete & highs
        return below20 | is7F != 0
    }

    func equals(_ range: Range<Int>, _ expected: StaticString) -> Bool {
        compare(range, expected) { $0 }
    }

    /// ASCII case-insensitive; `lowercase` is lower case.
    func equalsFolded(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        compare(range, lowercase) { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    private func compare(_ range: Range<Int>, _ expected: StaticString, fold: (UInt8) -> UInt8) -> Bool {
        expected.withUTF8Buffer { expected in
            guard range.count == expected.count else { return false }
            for offset in 0..<expected.count where fold(bytes[range.lowerBound + offset]) != expected[offset] {
                return false
            }
            return true
        }
    }

    /// `1*DIGIT` of at most 15 digits (no body is that long; llhttp's range is wider).
    func decimal(_ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 15 else { return nil }
        var value = 0
        for position in range {
            let byte = bytes[position]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    // Byte classes as bit sets, one bit per byte value below 128 (none above is in either set):
    // constants, where a table would be a lazily made global asked for at every byte.
    // `HeadCursorTests` derives them again from the RFCs' lists.

    /// RFC 9110 section 5.6.2: `tchar`.
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool { isIn(byte, low: tokenLow, high: tokenHigh) }
    /// RFC 3986: unreserved, sub-delims, `:`, `@`, `/`, `?` and the `%` of a percent-encoding.
    @inline(__always)
    static func isTarget(_ byte: UInt8) -> Bool { isIn(byte, low: targetLow, high: targetHigh) }
    /// RFC 9110 section 5.5: visible characters, obs-text, space and tab.
    @inline(__always)
    static func isFieldValue(_ byte: UInt8) -> Bool { byte == 0x09 || (byte >= 0x20 && byte != 0x7F) }

    static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE
    static let targetLow: UInt64 = 0xAFFF_FFF2_0000_0000
    static let targetHigh: UInt64 = 0x47FF_FFFE_87FF_FFFF

    @inline(__always)
    private static func isIn(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        switch byte {
        case 0..<64: return (low >> UInt64(byte)) & 1 != 0
        case 64..<128: return (high >> UInt64(byte - 64)) & 1 != 0
        default: return false
        }
    }
}
