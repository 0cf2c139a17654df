import NIOCore
import NIOHTTP1

/// The head the caller gets for an upstream's answer: the upstream's status line and fields,
/// copied as bytes, with the proxy's edits. Hop-by-hop fields (RFC 9110 section 7.6.1) and the
/// upstream's `X-Request-Id` are left out; replaced fields go at the end with their new
/// values; then the gateway's own lines: the request id, the framing the caller reads, and
/// `Connection: close` when the caller's connection ends after this response (`keep-alive`
/// when it does not and the caller speaks HTTP/1.0, whose connections end unless told).
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

    /// The head's bytes: the upstream's kept lines copied as runs (a run ends at a line left
    /// out), then the gateway's lines.
    func write(into buffer: inout ByteBuffer) {
        let scanned = upstream.scanned
        var capacity = scanned.fields.end + requestID.utf8.count + 80
        for (name, value) in replaced { capacity += HeadWriter.lineSize(name: name.utf8CodeUnitCount, value: value.utf8.count) }
        HeadWriter.write(into: &buffer, capacity: capacity) { head in
            head.write(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
            upstream.bytes.withUnsafeReadableBytes { raw in
                // The three digits and the reason phrase, as the upstream sent them.
                head.write(UnsafeRawBufferPointer(rebasing: raw[9..<scanned.reason.upperBound]))
                head.write("\r\n")
                // Each line runs from its name to its value's end and CRLF, the next line
                // right after: kept lines next to each other are copied at once.
                var run = 0..<0
                for line in scanned.fields.lines {
                    if isLeftOut(line, in: raw) {
                        head.write(UnsafeRawBufferPointer(rebasing: raw[run]))
                        run = 0..<0
                    } else {
                        run = (run.isEmpty ? line.name.lowerBound : run.lowerBound)..<(line.value.upperBound + 2)
                    }
                }
                head.write(UnsafeRawBufferPointer(rebasing: raw[run]))
            }
            for (name, value) in replaced { head.line(name, value) }
            head.line("x-request-id", requestID)
            if chunked { head.write("transfer-encoding: chunked\r\n") }
            if close {
                head.write("connection: close\r\n")
            } else if version.minor == 0 {
                // An HTTP/1.0 caller that asked to keep the connection is told it is kept.
                head.write("connection: keep-alive\r\n")
            }
            head.write("\r\n")
        }
    }

    /// Hop-by-hop, the upstream's request id, or replaced.
    private func isLeftOut(_ line: ScannedFields.Field, in raw: UnsafeRawBufferPointer) -> Bool {
        let name = raw[line.name]
        return upstream.isHopByHop(line, in: raw) || HeaderName.equals(bytes: name, "x-request-id")
            || (!replaced.isEmpty && replaced.contains { HeaderName.equals(bytes: name, $0.name) })
    }
}
