/// Finds a request head in a caller's bytes in one pass, byte by byte, without building a
/// `String` or copying a byte: the first part of a data path that keeps bytes as bytes (see
/// docs/benchmark.md, "The floor"). Its rule is never to accept what llhttp, the parser of
/// NIO's `HTTPRequestDecoder`, refuses: `RequestHeadScannerTests` checks every head it accepts
/// against NIO's decoder, over smuggling shapes and seeded mutations of real heads. Where the
/// two could differ it is the stricter: a fixed set of methods, origin-form targets of RFC 3986
/// characters (or `*`), `HTTP/1.0` or `HTTP/1.1`, and the field rules of `HeadCursor.fields()`;
/// an HTTP/1.0 request declares no transfer coding.
enum RequestHeadScanner {
    static func scan(_ bytes: UnsafeRawBufferPointer, maxHeadBytes: Int = HeadCursor.defaultMaxHeadBytes) -> HeadScan<ScannedRequestHead> {
        var cursor = HeadCursor(bytes: bytes, maxHeadBytes: maxHeadBytes)
        return cursor.refusingLongHeads(scanHead(&cursor), what: "request head")
    }

    /// The methods a caller may send (llhttp knows more; this gateway forwards these).
    static let methods: [StaticString] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"]

    private static func scanHead(_ cursor: inout HeadCursor) -> HeadScan<ScannedRequestHead> {
        // The request line: method SP target SP HTTP/1.x CRLF.
        let method = cursor.skip(while: HeadCursor.isToken)
        guard cursor.index < cursor.limit else { return .needMoreBytes }
        guard Self.methods.contains(where: { cursor.equals(method, $0) }) else { return .refused("unknown method") }
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
            guard minor == 1 || !fields.chunked else { return .refused("a Transfer-Encoding in an HTTP/1.0 request") }
            return .head(ScannedRequestHead(method: method, target: target, minorVersion: minor, fields: fields))
        }
    }
}
