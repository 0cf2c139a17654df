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

    /// True for a header that must not cross the proxy, given the message's Connection tokens.
    @inline(__always)
    static func isHopByHop(_ name: String, connectionTokens: Set<String>) -> Bool {
        HeaderName.isStandardHopByHop(name) || (!connectionTokens.isEmpty && connectionTokens.contains(HeaderName.folded(name)))
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
