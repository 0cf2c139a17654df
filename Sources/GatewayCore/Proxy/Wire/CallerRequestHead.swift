import NIOCore
import NIOHTTP1

/// A caller's request head: the bytes it sent (exactly the head, its empty line included) and
/// where `RequestHeadScanner` found its parts, with the method and target as values. Read in
/// place: the few fields routing asks about are compared as bytes, the router reads the target
/// as bytes (`withTarget`), and the rewriter copies the kept fields upstream from these bytes
/// (`RequestRewriter`), so a forwarded head never becomes a list of strings. `uri` and `headers`
/// make strings, for the paths that want them (control routes, logs, tracing, tests).
struct CallerRequestHead {
    /// The head's bytes, from its first byte to its empty line.
    let bytes: ByteBuffer
    let scanned: ScannedRequestHead
    let method: HTTPMethod

    /// `bytes` starts at the head's first byte and holds at least `scanned.fields.end` bytes.
    init(bytes: ByteBuffer, scanned: ScannedRequestHead) {
        self.bytes = bytes
        self.scanned = scanned
        method = bytes.withUnsafeReadableBytes { Self.method(UnsafeRawBufferPointer(rebasing: $0[scanned.method])) }
    }

    /// The method named by `bytes` (case-sensitive, RFC 9110 section 9.1); the common ones
    /// without making a string.
    static func method(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod {
        func equals(_ name: StaticString) -> Bool {
            name.withUTF8Buffer { bytes.elementsEqual($0) }
        }
        switch bytes.count {
        case 3 where equals("GET"): return .GET
        case 3 where equals("PUT"): return .PUT
        case 4 where equals("POST"): return .POST
        case 4 where equals("HEAD"): return .HEAD
        case 5 where equals("PATCH"): return .PATCH
        case 6 where equals("DELETE"): return .DELETE
        default: return HTTPMethod(rawValue: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The request target as the caller sent it, made a string on each call (the data path
    /// reads its bytes: `withTarget`).
    var uri: String {
        withTarget { String(decoding: $0, as: UTF8.self) }
    }

    /// Runs `body` with the request target's bytes.
    @inline(__always)
    func withTarget<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        bytes.withUnsafeReadableBytes { body(UnsafeRawBufferPointer(rebasing: $0[scanned.target])) }
    }

    /// `head` written out as the bytes a caller would send (for heads built in code: tests,
    /// requests the gateway makes itself). Not scanned: fields the scanner would refuse (a
    /// second `Content-Length`) are kept, for the checks after it to see.
    init(_ head: HTTPRequestHead) {
        var buffer = ByteBuffer()
        var scanned = ScannedRequestHead(method: 0..<0, target: 0..<0, minorVersion: head.version.minor == 0 ? 0 : 1, fields: .init())
        func write(_ text: String) -> Range<Int> {
            let start = buffer.readableBytes
            buffer.writeString(text)
            return start..<buffer.readableBytes
        }
        scanned.method = write(head.method == .MSEARCH ? "M-SEARCH" : head.method.rawValue)
        buffer.writeStaticString(" ")
        scanned.target = write(head.uri)
        buffer.writeString(" HTTP/1.\(scanned.minorVersion)\r\n")
        for (name, value) in head.headers {
            let nameRange = write(name)
            buffer.writeStaticString(": ")
            let valueRange = write(value)
            buffer.writeStaticString("\r\n")
            scanned.fields.lines.append(.init(name: nameRange, value: valueRange))
            if HeaderName.equals(name, "content-length") { scanned.fields.contentLength = Int(value) }
            if HeaderName.equals(name, "transfer-encoding") {
                scanned.fields.transferEncodings += 1
                scanned.fields.chunked = HeaderName.equals(value, "chunked")
            }
            if HeaderName.equals(name, "connection") { scanned.fields.noteConnection(value.utf8) }
        }
        buffer.writeStaticString("\r\n")
        scanned.fields.end = buffer.readableBytes
        self.init(bytes: buffer, scanned: scanned)
    }

    var version: HTTPVersion { HTTPVersion(major: 1, minor: scanned.minorVersion) }

    /// Runs `body` with the head's bytes and its field lines (ranges into those bytes).
    @inline(__always)
    func withFields<Result>(_ body: (UnsafeRawBufferPointer, [ScannedFields.Field]) -> Result) -> Result {
        bytes.withUnsafeReadableBytes { body($0, scanned.fields.lines) }
    }

    /// The head's bytes in `range` (a range `RequestHeadSummary` found) as a string.
    func text(_ range: Range<Int>) -> String {
        bytes.withUnsafeReadableBytes { String(decoding: $0[range], as: UTF8.self) }
    }

    /// The value of the first field named `lowercase`, if any.
    func first(_ lowercase: StaticString) -> String? {
        withFields { raw, _ in scanned.fields.first(lowercase, in: raw).map { String(decoding: raw[$0.value], as: UTF8.self) } }
    }

    /// The values of every field named `name` (any case), in order.
    func values(_ name: String) -> [String] {
        withFields { raw, lines in
            lines.filter { line in
                let bytes = raw[line.name]
                return bytes.count == name.utf8.count && zip(bytes, name.utf8).allSatisfy { HeaderName.lower($0) == HeaderName.lower($1) }
            }.map { String(decoding: raw[$0.value], as: UTF8.self) }
        }
    }

    /// The caller wants the connection kept after this request (`HopByHop.isKeepAlive`).
    var isKeepAlive: Bool {
        withFields { raw, _ in HopByHop.isKeepAlive(raw, scanned.fields, minorVersion: scanned.minorVersion) }
    }

    /// After this request the connection stops being HTTP, as llhttp decides: CONNECT, or an
    /// `Upgrade` field with `Connection: upgrade`.
    var switchesProtocols: Bool {
        if method == .CONNECT { return true }
        guard scanned.fields.connectionLists > 0 else { return false }
        var upgradeField = false
        var connectionUpgrade = false
        withFields { raw, lines in
            for line in lines {
                let name = raw[line.name]
                if HeaderName.equals(bytes: name, "upgrade") {
                    upgradeField = true
                } else if HeaderName.equals(bytes: name, "connection") {
                    HopByHop.forEachToken(raw[line.value]) { token in
                        if HeaderName.equals(bytes: token, "upgrade") { connectionUpgrade = true }
                    }
                }
            }
        }
        return upgradeField && connectionUpgrade
    }

    /// The fields as `HTTPHeaders`.
    var headers: HTTPHeaders {
        withFields { raw, lines in
            HTTPHeaders(lines.map { (String(decoding: raw[$0.name], as: UTF8.self), String(decoding: raw[$0.value], as: UTF8.self)) })
        }
    }

    /// The head as NIO's decoder would give it.
    var httpRequestHead: HTTPRequestHead {
        HTTPRequestHead(version: version, method: method, uri: uri, headers: headers)
    }
}
