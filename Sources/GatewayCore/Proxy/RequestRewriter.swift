import NIOHTTP1

/// Shapes the request head sent upstream: the executor path, the connector's Host header and
/// credential, truthful forwarding headers, and nothing hop-by-hop or caller-credential.
enum RequestRewriter {
    /// Caller headers replaced by the gateway's own values.
    static let replaced: Set<String> = [
        "host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip",
        "forwarded", "x-request-id", "expect", "content-length",
    ]

    /// `uriRemainder` is the raw request target after `/executor/<connector>`, byte for byte.
    static func upstreamHead(
        client: HTTPRequestHead, uriRemainder: Substring, target: UpstreamTarget, peerAddress: String, requestID: String
    ) -> HTTPRequestHead {
        let tokens = HopByHop.connectionTokens(client.headers)
        var headers = HTTPHeaders()
        headers.reserveCapacity(client.headers.count + 7)
        headers.add(name: "host", value: target.hostHeader)
        var clientHost: String?
        var contentLength: String?
        var chunked = false
        for (name, value) in client.headers {
            let lower = name.lowercased()
            switch lower {
            case "host":
                clientHost = value
                continue
            case "content-length":
                contentLength = value
                continue
            case "transfer-encoding":
                chunked = chunked || value.lowercased().contains("chunked")
                continue
            default:
                break
            }
            if replaced.contains(lower) || target.removedRequestHeaders.contains(lower)
                || HopByHop.isHopByHop(lower, connectionTokens: tokens)
            {
                continue
            }
            headers.add(name: name, value: value)
        }
        if let contentLength {
            headers.add(name: "content-length", value: contentLength)
        } else if chunked {
            headers.add(name: "transfer-encoding", value: "chunked")
        }
        let forwarded: String
        switch target.forwardedFor {
        case .client: forwarded = peerAddress
        case let .fixed(address): forwarded = address
        }
        headers.add(name: "x-forwarded-for", value: forwarded)
        headers.add(name: "x-real-ip", value: forwarded)
        headers.add(name: "x-forwarded-proto", value: "http")
        if let clientHost { headers.add(name: "x-forwarded-host", value: clientHost) }
        headers.add(name: "x-request-id", value: requestID)
        if let credential = target.credential {
            credential.value.withUnredactedValue { headers.add(name: credential.name, value: $0) }
        }
        return HTTPRequestHead(
            version: .http1_1, method: client.method, uri: upstreamURI(base: target.basePath, remainder: uriRemainder),
            headers: headers)
    }

    /// The executor's base path joined with the caller's remainder, without decoding anything.
    static func upstreamURI(base: String, remainder: Substring) -> String {
        if remainder.isEmpty { return base.isEmpty ? "/" : base }
        if remainder.first == "?" { return (base.isEmpty ? "/" : base) + remainder }
        return base + remainder
    }
}
