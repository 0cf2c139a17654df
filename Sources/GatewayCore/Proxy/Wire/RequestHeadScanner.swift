/// Finds a request head in a caller's bytes in one pass, byte by byte, without building a
/// `String` or copying a byte: the first part of a data path that keeps bytes as bytes (see
/// docs/benchmark.md, "The floor"). Its rule is never to accept what llhttp, the parser of
/// NIO's `HTTPRequestDecoder`, refuses: `RequestHeadScannerTests` checks every head it accepts
/// against NIO's decoder, over smuggling shapes and seeded mutations of real heads. It reads
/// what llhttp passes on where the gateway forwards or answers such requests today: llhttp's
/// methods (TRACE and CONNECT among them), empty lines before a request, spaces after a
/// `Content-Length`, and one `Transfer-Encoding` other than `chunked` (with `chunked` last if
/// listed), which `ScannedFields.otherTransferCoding` reports and after which no body is read.
/// It is the stricter elsewhere: origin-form targets of RFC 3986 characters (or `*`),
/// `HTTP/1.0` or `HTTP/1.1`, the field rules of `HeadCursor.fields()`, no transfer coding in an
/// HTTP/1.0 request and no body declared by a CONNECT (llhttp would read none).
enum RequestHeadScanner {
    /// `storage`: an array the fields may be written into (`HeadCursor`).
    static func scan(
        _ bytes: UnsafeRawBufferPointer, maxHeadBytes: Int = HeadCursor.defaultMaxHeadBytes, reusing storage: consuming [ScannedFields.Field] = []
    ) -> HeadScan<ScannedRequestHead> {
        HeadCursor.scan(bytes, maxHeadBytes: maxHeadBytes, reusing: consume storage, what: "request head", scanHead)
    }

    /// llhttp's methods (its `HTTP_METHOD_MAP`, without the RTSP ones), by length.
    static func isMethod(_ cursor: HeadCursor, _ method: Range<Int>) -> Bool {
        func named(_ name: StaticString) -> Bool { cursor.equals(method, name) }
        switch method.count {
        case 3: return named("GET") || named("PUT") || named("ACL")
        case 4: return named("POST") || named("HEAD") || named("COPY") || named("LOCK") || named("MOVE") || named("BIND") || named("LINK")
        case 5: return named("PATCH") || named("TRACE") || named("MKCOL") || named("MERGE") || named("PURGE") || named("QUERY")
        case 6:
            return named("DELETE") || named("SEARCH") || named("UNLOCK") || named("REBIND") || named("UNBIND") || named("REPORT") || named("NOTIFY")
                || named("UNLINK") || named("SOURCE")
        case 7: return named("OPTIONS") || named("CONNECT")
        case 8: return named("PROPFIND") || named("CHECKOUT") || named("M-SEARCH")
        case 9: return named("PROPPATCH") || named("SUBSCRIBE")
        case 10: return named("MKACTIVITY") || named("MKCALENDAR")
        case 11: return named("UNSUBSCRIBE")
        default: return false
        }
    }

    private static func scanHead(_ cursor: inout HeadCursor) -> HeadScan<ScannedRequestHead> {
        // Empty lines before the request line are skipped, as llhttp skips them (CRLF only).
        while cursor.peek() == 0x0D {
            guard cursor.index + 1 < cursor.limit else { return .needMoreBytes }
            guard cursor.take(0x0D), cursor.take(0x0A) else { return .refused("a CR without LF before the request line") }
        }
        // The request line: method SP target SP HTTP/1.x CRLF.
        let method = cursor.skip(while: HeadCursor.isToken)
        guard cursor.index < cursor.limit else { return .needMoreBytes }
        guard isMethod(cursor, method) else { return .refused("unknown method") }
        guard cursor.take(0x20) else { return .refused("the method is not followed by one space") }
        let target = cursor.skip(while: HeadCursor.isTarget)
        guard cursor.index < cursor.limit else { return .needMoreBytes }
        guard cursor.equals(target, "*") || (target.count > 0 && cursor.bytes[target.lowerBound] == UInt8(ascii: "/")) else {
            return .refused("the request target is not a path")
        }
        guard cursor.take(0x20) else { return .refused("the request target has a character outside RFC 3986") }
        guard cursor.index + 10 <= cursor.limit else { return .needMoreBytes }
        guard let minor = cursor.version(), cursor.take(0x0D), cursor.take(0x0A) else {
            return .refused("the version is not HTTP/1.0 or HTTP/1.1 followed by CRLF")
        }

        switch cursor.fields() {
        case .needMoreBytes: return .needMoreBytes
        case let .refused(reason): return .refused(reason)
        case let .head(fields):
            guard minor == 1 || fields.transferEncodings == 0 else { return .refused("a Transfer-Encoding in an HTTP/1.0 request") }
            guard !cursor.equals(method, "CONNECT") || (fields.transferEncodings == 0 && (fields.contentLength ?? 0) == 0) else {
                return .refused("a CONNECT that declares a body")
            }
            return .head(ScannedRequestHead(method: method, target: target, minorVersion: minor, fields: fields))
        }
    }
}
