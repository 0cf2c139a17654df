import NIOHTTP1

/// Header rules of a forwarding proxy (RFC 9110 section 7.6.1).
enum HopByHop {
    /// Headers that describe one connection and are never forwarded.
    static let names: Set<String> = [
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "proxy-connection",
        "proxy-authenticate", "proxy-authorization",
    ]

    /// The lower-cased names listed in `Connection` headers (they are hop-by-hop too).
    static func connectionTokens(_ headers: HTTPHeaders) -> Set<String> {
        var tokens: Set<String> = []
        for (name, value) in headers where name.utf8.count == 10 && name.lowercased() == "connection" {
            for token in value.split(separator: ",") {
                tokens.insert(token.filter { $0 != " " && $0 != "\t" }.lowercased())
            }
        }
        return tokens
    }

    /// True for a header that must not cross the proxy, given the request's Connection tokens.
    static func isHopByHop(_ lowercasedName: String, connectionTokens: Set<String>) -> Bool {
        names.contains(lowercasedName) || lowercasedName.hasPrefix("proxy-") || connectionTokens.contains(lowercasedName)
    }

    /// The response head sent to the caller: hop-by-hop headers removed, the request id added.
    static func clientResponseHeaders(_ upstream: HTTPHeaders, requestID: String) -> HTTPHeaders {
        let tokens = connectionTokens(upstream)
        var headers = HTTPHeaders()
        headers.reserveCapacity(upstream.count + 1)
        for (name, value) in upstream {
            let lower = name.lowercased()
            if isHopByHop(lower, connectionTokens: tokens) || lower == "x-request-id" { continue }
            headers.add(name: name, value: value)
        }
        headers.add(name: "x-request-id", value: requestID)
        return headers
    }
}
