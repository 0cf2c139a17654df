import NIOHTTP1

/// Header rules of a forwarding proxy (RFC 9110 section 7.6.1).
enum HopByHop {
    /// Lower-cased extra names listed in `Connection` headers (beyond `close`/`keep-alive`),
    /// which are hop-by-hop too. Empty, and allocation-free, in the common case.
    static func connectionTokens(_ headers: HTTPHeaders) -> Set<String> {
        var tokens: Set<String> = []
        for (name, value) in headers where HeaderName.equals(name, "connection") {
            if HeaderName.equals(value, "keep-alive") || HeaderName.equals(value, "close") { continue }
            for token in value.split(separator: ",") {
                let trimmed = HeaderName.folded(token.filter { $0 != " " && $0 != "\t" })
                if trimmed != "close" && trimmed != "keep-alive" { tokens.insert(trimmed) }
            }
        }
        return tokens
    }

    /// `connectionTokens` of a scanned head's field lines (ranges into `raw`).
    static func connectionTokens(_ raw: UnsafeRawBufferPointer, _ lines: [ScannedFields.Field]) -> Set<String> {
        var tokens: Set<String> = []
        for line in lines where HeaderName.equals(bytes: raw[line.name], "connection") {
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
    static func isKeepAlive(_ raw: UnsafeRawBufferPointer, _ lines: [ScannedFields.Field], minorVersion: Int) -> Bool {
        var close = false
        var keepAlive = false
        for line in lines where HeaderName.equals(bytes: raw[line.name], "connection") {
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
    static func isHopByHop(_ name: String, connectionTokens: Set<String>) -> Bool {
        isHopByHop(bytes: name.utf8, connectionTokens: connectionTokens)
    }

    @inline(__always)
    static func isHopByHop<Name: Collection<UInt8>>(bytes name: Name, connectionTokens: Set<String>) -> Bool {
        HeaderName.isStandardHopByHop(name)
            || (!connectionTokens.isEmpty && connectionTokens.contains(String(decoding: name.map(HeaderName.fold), as: UTF8.self)))
    }

    /// The response head sent to the caller: hop-by-hop headers removed, the request id added.
    static func clientResponseHeaders(_ upstream: HTTPHeaders, requestID: String) -> HTTPHeaders {
        let tokens = connectionTokens(upstream)
        // Built as an array and wrapped once: HTTPHeaders.add checks every name it is given.
        var headers: [(String, String)] = []
        headers.reserveCapacity(upstream.count + 2)
        for (name, value) in upstream where !isHopByHop(name, connectionTokens: tokens) && !HeaderName.equals(name, "x-request-id") {
            headers.append((name, value))
        }
        headers.append(("x-request-id", requestID))
        return HTTPHeaders(headers)
    }
}
