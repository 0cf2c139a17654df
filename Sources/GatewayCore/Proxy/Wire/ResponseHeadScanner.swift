/// Finds a response head in an upstream's bytes in one pass, like `RequestHeadScanner` for
/// requests, and under the same rule: never accept what llhttp (NIO's `HTTPResponseDecoder`)
/// refuses, checked by `ResponseHeadScannerTests`. The status line is `HTTP/1.0` or `HTTP/1.1`,
/// a three-digit status from 100, and a reason phrase of visible characters, spaces and tabs
/// (possibly empty); the fields follow `HeadCursor.fields()`.
enum ResponseHeadScanner {
    /// `storage`: an array the fields may be written into (`HeadCursor`).
    static func scan(
        _ bytes: UnsafeRawBufferPointer, maxHeadBytes: Int = HeadCursor.defaultMaxHeadBytes, reusing storage: consuming [ScannedFields.Field] = []
    ) -> HeadScan<ScannedResponseHead> {
        HeadCursor.scan(bytes, maxHeadBytes: maxHeadBytes, reusing: consume storage, what: "response head", scanHead)
    }

    private static func scanHead(_ cursor: inout HeadCursor) -> HeadScan<ScannedResponseHead> {
        // The status line: HTTP/1.x SP 3DIGIT SP reason CRLF.
        guard cursor.index + 13 <= cursor.limit else { return .needMoreBytes }
        guard let minor = cursor.version(), cursor.take(0x20) else {
            return .refused("the status line does not start with HTTP/1.0 or HTTP/1.1 and a space")
        }
        let code = cursor.skip(while: { $0 >= 0x30 && $0 <= 0x39 })
        guard code.count == 3, let status = cursor.decimal(code), status >= 100 else {
            return .refused("the status is not three digits from 100")
        }
        guard cursor.take(0x20) else { return .refused("the status is not followed by a space") }
        let reason = cursor.skip(while: HeadCursor.isFieldValue)
        guard cursor.index + 1 < cursor.limit else { return .needMoreBytes }
        guard cursor.take(0x0D), cursor.take(0x0A) else {
            return .refused("the reason phrase has a control character or a line end that is not CRLF")
        }

        switch cursor.fields() {
        case .needMoreBytes: return .needMoreBytes
        case let .refused(reason): return .refused(reason)
        case let .head(fields):
            guard !fields.otherTransferCoding else { return .refused("a Transfer-Encoding other than one chunked") }
            return .head(ScannedResponseHead(status: status, minorVersion: minor, reason: reason, fields: fields))
        }
    }
}
