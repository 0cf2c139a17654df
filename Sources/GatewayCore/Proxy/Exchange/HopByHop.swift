import NIOCore
import NIOHTTP1

/// Header rules of a forwarding proxy (RFC 9110 section 7.6.1).
enum HopByHop {
    /// Lower-cased extra names listed in the `Connection` fields of a scanned head (ranges into
    /// `raw`), beyond `close`/`keep-alive`: hop-by-hop too. Empty, and allocation-free, in the
    /// common case.
    static func connectionTokens(_ raw: UnsafeRawBufferPointer, _ fields: ScannedFields) -> Set<String> {
        var tokens: Set<String> = []
        guard fields.connectionLists > 0 else { return tokens }
        for line in fields.lines where HeaderName.equals(bytes: raw[line.name], "connection") {
            let value = raw[line.value]
            // The usual values, without splitting.
            if HeaderName.equals(bytes: value, "keep-alive") || HeaderName.equals(bytes: value, "close") { continue }
            forEachToken(value) { token in
                if !HeaderName.equals(bytes: token, "close") && !HeaderName.equals(bytes: token, "keep-alive") {
                    tokens.insert(String(decoding: token.map(HeaderName.fold), as: UTF8.self))
                }
            }
        }
        return tokens
    }

    /// The connection stays open after a message with these field lines: HTTP/1.1 unless a
    /// `Connection` field lists `close`, HTTP/1.0 only when one lists `keep-alive` (as NIO's
    /// `isKeepAlive`).
    static func isKeepAlive(_ raw: UnsafeRawBufferPointer, _ fields: ScannedFields, minorVersion: Int) -> Bool {
        guard fields.connectionLists > 0 else {
            return minorVersion == 1 ? !fields.connectionClose : fields.connectionKeepAlive && !fields.connectionClose
        }
        var close = false
        var keepAlive = false
        for line in fields.lines where HeaderName.equals(bytes: raw[line.name], "connection") {
            forEachToken(raw[line.value]) { token in
                if HeaderName.equals(bytes: token, "close") {
                    close = true
                } else if HeaderName.equals(bytes: token, "keep-alive") {
                    keepAlive = true
                }
            }
        }
        return minorVersion == 1 ? !close : keepAlive && !close
    }

    /// Calls `body` with each token of the comma-separated list `value`, without the spaces and
    /// tabs around it; empty ones are skipped.
    @inline(__always)
    static func forEachToken(_ value: Slice<UnsafeRawBufferPointer>, _ body: (Slice<UnsafeRawBufferPointer>) -> Void) {
        var start = value.startIndex
        while start < value.endIndex {
            let end = value[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.endIndex
            let token = trimmed(value[start..<end])
            if !token.isEmpty { body(token) }
            start = end == value.endIndex ? end : end + 1
        }
    }

    /// `value` without the spaces and tabs at either end.
    @inline(__always)
    static func trimmed(_ value: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var value = value
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        return value
    }

    /// True for a header that must not cross the proxy, given the message's Connection tokens.
    @inline(__always)
    static func isHopByHop<Name: Collection<UInt8>>(bytes name: Name, connectionTokens: Set<String>) -> Bool {
        HeaderName.isStandardHopByHop(name)
            || (!connectionTokens.isEmpty && connectionTokens.contains(String(decoding: name.map(HeaderName.fold), as: UTF8.self)))
    }

    /// The fields of a response head the gateway writes itself from the upstream's (a 101):
    /// hop-by-hop fields removed, the request id added.
    static func clientResponseHeaders(_ upstream: UpstreamResponseHead, requestID: String) -> HTTPHeaders {
        // Built as an array and wrapped once: HTTPHeaders.add checks every name it is given.
        var headers: [(String, String)] = []
        upstream.bytes.withUnsafeReadableBytes { raw in
            headers.reserveCapacity(upstream.scanned.fields.lines.count + 2)
            for line in upstream.scanned.fields.lines
            where !upstream.isHopByHop(line, in: raw) && !HeaderName.equals(bytes: raw[line.name], "x-request-id") {
                headers.append((String(decoding: raw[line.name], as: UTF8.self), String(decoding: raw[line.value], as: UTF8.self)))
            }
        }
        headers.append(("x-request-id", requestID))
        return HTTPHeaders(headers)
    }
}
