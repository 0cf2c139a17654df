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
                let trimmed = token.filter { $0 != " " && $0 != "\t" }.lowercased()
                if trimmed != "close" && trimmed != "keep-alive" { tokens.insert(trimmed) }
            }
        }
        return tokens
    }

    /// True for a header that must not cross the proxy, given the message's Connection tokens.
    @inline(__always)
    static func isHopByHop(_ name: String, connectionTokens: Set<String>) -> Bool {
        HeaderName.isStandardHopByHop(name) || (!connectionTokens.isEmpty && connectionTokens.contains(name.lowercased()))
    }

    /// The response head sent to the caller: hop-by-hop headers removed, the request id added.
    static func clientResponseHeaders(_ upstream: HTTPHeaders, requestID: String) -> HTTPHeaders {
        let tokens = connectionTokens(upstream)
        var removals: [String] = []
        for (name, _) in upstream where isHopByHop(name, connectionTokens: tokens) || HeaderName.equals(name, "x-request-id") {
            removals.append(name)
        }
        var headers = upstream
        for name in removals { headers.remove(name: name) }
        headers.add(name: "x-request-id", value: requestID)
        return headers
    }
}
