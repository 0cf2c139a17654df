import NIOCore
import NIOHTTP1

/// An upstream's response head: the bytes it sent (exactly the head, its empty line included)
/// and where `ResponseHeadScanner` found its parts. Read in place: the few fields the exchange
/// asks about are compared as bytes, and the head goes to the caller as copied byte ranges
/// (`CallerResponseHead`), so a forwarded head never becomes strings.
struct UpstreamResponseHead {
    let bytes: ByteBuffer
    let scanned: ScannedResponseHead
    /// The connection stays open after this response (HTTP/1.1 without `Connection: close`,
    /// HTTP/1.0 with `Connection: keep-alive`).
    let keepAlive: Bool
    /// Lower-cased names listed in `Connection` beyond `close`/`keep-alive`: hop-by-hop too.
    /// Empty, and allocation-free, in the common case.
    let connectionTokens: Set<String>

    /// `bytes` starts at the head's first byte and holds at least `scanned.fields.end` bytes.
    init(bytes: ByteBuffer, scanned: ScannedResponseHead) {
        self.bytes = bytes
        self.scanned = scanned
        (keepAlive, connectionTokens) = bytes.withUnsafeReadableBytes { raw in
            (
                HopByHop.isKeepAlive(raw, scanned.fields, minorVersion: scanned.minorVersion),
                HopByHop.connectionTokens(raw, scanned.fields)
            )
        }
    }

    var status: Int { scanned.status }
    var declaresLength: Bool { scanned.fields.contentLength != nil }

    /// True when a field named `lowercase` is present.
    func contains(_ lowercase: StaticString) -> Bool {
        bytes.withUnsafeReadableBytes { scanned.fields.first(lowercase, in: $0) != nil }
    }

    /// The value of the first field named `lowercase`, if any.
    func first(_ lowercase: StaticString) -> String? {
        bytes.withUnsafeReadableBytes { raw in scanned.fields.first(lowercase, in: raw).map { String(decoding: raw[$0.value], as: UTF8.self) } }
    }

    /// True when the field on `line` must not cross the proxy (RFC 9110 section 7.6.1).
    func isHopByHop(_ line: ScannedFields.Field, in raw: UnsafeRawBufferPointer) -> Bool {
        HopByHop.isHopByHop(bytes: raw[line.name], connectionTokens: connectionTokens)
    }
}
