import NIOCore
import NIOHTTP1

/// The head the caller gets for an upstream's answer: the upstream's status line and fields,
/// copied as bytes, with the proxy's edits. Hop-by-hop fields (RFC 9110 section 7.6.1) and the
/// upstream's `X-Request-Id` are left out; replaced fields go at the end with their new
/// values; then the gateway's own lines: the request id, the framing the caller reads, and
/// `Connection: close` when the caller's connection ends after this response.
struct CallerResponseHead {
    var upstream: UpstreamResponseHead
    /// The caller's HTTP version: the status line says it, whatever the upstream's was.
    var version: HTTPVersion
    var requestID: String
    /// Fields written with new values (a rewritten `Location`, a rewritten body's length).
    var replaced: [(name: StaticString, value: String)] = []
    /// `Transfer-Encoding: chunked`: the body reaches the caller in chunks.
    var chunked = false
    /// `Connection: close`.
    var close = false

    var status: Int { upstream.status }

    mutating func replace(_ lowercaseName: StaticString, with value: String) {
        replaced.removeAll { $0.name.utf8Start == lowercaseName.utf8Start }
        replaced.append((lowercaseName, value))
    }

    /// The head's bytes.
    func write(into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: upstream.scanned.fields.end + requestID.utf8.count + 64)
        buffer.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        let scanned = upstream.scanned
        upstream.bytes.withUnsafeReadableBytes { raw in
            // The three digits and the reason phrase, as the upstream sent them.
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[9..<scanned.reason.upperBound]))
            buffer.writeStaticString("\r\n")
            for line in scanned.fields.lines {
                let name = raw[line.name]
                if upstream.isHopByHop(line, in: raw) || HeaderName.equals(bytes: name, "x-request-id") { continue }
                if !replaced.isEmpty, replaced.contains(where: { HeaderName.equals(bytes: name, $0.name) }) { continue }
                // From the name to the value's end: the colon and the space between as sent.
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[line.name.lowerBound..<line.value.upperBound]))
                buffer.writeStaticString("\r\n")
            }
        }
        for (name, value) in replaced {
            buffer.writeStaticString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("x-request-id: ")
        buffer.writeString(requestID)
        buffer.writeStaticString("\r\n")
        if chunked { buffer.writeStaticString("transfer-encoding: chunked\r\n") }
        if close { buffer.writeStaticString("connection: close\r\n") }
        buffer.writeStaticString("\r\n")
    }
}
