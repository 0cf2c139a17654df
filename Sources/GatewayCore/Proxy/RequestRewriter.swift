import NIOHTTP1

/// Shapes the request head sent upstream: the executor path, the connector's Host header and
/// credential, truthful forwarding headers, and nothing hop-by-hop or caller-credential.
enum RequestRewriter {
    /// True for caller headers the gateway replaces with its own values.
    @inline(__always)
    static func isReplaced(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: return HeaderName.equals(name, "host")
        case 6: return HeaderName.equals(name, "expect")
        case 9: return HeaderName.equals(name, "forwarded") || HeaderName.equals(name, "x-real-ip")
        case 12: return HeaderName.equals(name, "x-request-id")
        case 14: return HeaderName.equals(name, "content-length")
        case 15: return HeaderName.equals(name, "x-forwarded-for")
        case 16: return HeaderName.equals(name, "x-forwarded-host") || HeaderName.equals(name, "x-forwarded-port")
        case 17: return HeaderName.equals(name, "x-forwarded-proto")
        default: return false
        }
    }

    /// `uriRemainder` is the raw request target after `/executor/<connector>`, byte for byte.
    static func upstreamHead(
        client: HTTPRequestHead, uriRemainder: Substring, target: UpstreamTarget, peerAddress: String, requestID: String,
        publicURL: EndpointURL? = nil
    ) -> HTTPRequestHead {
        let tokens = HopByHop.connectionTokens(client.headers)
        // Start from the caller's headers (already validated by the parser) and remove what
        // must not cross; re-adding every header would validate each one again.
        var headers = client.headers
        var clientHost: String?
        var contentLength: String?
        var chunked = false
        var removals: [String] = []
        for (name, value) in client.headers {
            if isReplaced(name) {
                if HeaderName.equals(name, "host") {
                    clientHost = value
                } else if HeaderName.equals(name, "content-length") {
                    contentLength = value
                }
                removals.append(name)
            } else if HopByHop.isHopByHop(name, connectionTokens: tokens) {
                if HeaderName.equals(name, "transfer-encoding") { chunked = chunked || value.lowercased().contains("chunked") }
                removals.append(name)
            } else if target.removedRequestHeaders.contains(where: { HeaderName.equalsLowercased(name, $0) }) {
                removals.append(name)
            }
        }
        for name in removals { headers.remove(name: name) }
        headers.reserveCapacity(headers.count + 8)
        headers.replaceOrAdd(name: "host", value: target.hostHeader)
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
        if let publicURL {
            headers.add(name: "x-forwarded-proto", value: publicURL.scheme.rawValue)
            headers.add(name: "x-forwarded-host", value: publicURL.authority)
        } else {
            headers.add(name: "x-forwarded-proto", value: "http")
            if let clientHost { headers.add(name: "x-forwarded-host", value: clientHost) }
        }
        if let prefix = target.forwardedPrefix {
            headers.add(name: "x-forwarded-prefix", value: (publicURL?.path ?? "") + prefix)
        }
        headers.add(name: "x-request-id", value: requestID)
        if let credential = target.credential {
            credential.value.withUnredactedValue { headers.add(name: credential.name, value: $0) }
        }
        let remainder = target.strippedQueryParameters.isEmpty
            ? uriRemainder : withoutParameters(uriRemainder, target.strippedQueryParameters)
        return HTTPRequestHead(
            version: .http1_1, method: client.method, uri: upstreamURI(base: target.basePath, remainder: remainder),
            headers: headers)
    }

    /// The target with the named query parameters removed; everything else byte for byte.
    static func withoutParameters(_ target: Substring, _ names: Set<String>) -> Substring {
        guard let question = target.firstIndex(of: "?") else { return target }
        let query = target[target.index(after: question)...]
        let kept = query.split(separator: "&", omittingEmptySubsequences: false).filter { pair in
            let name = pair.prefix { $0 != "=" }
            return !names.contains(name.lowercased())
        }
        if kept.isEmpty || (kept.count == 1 && kept[0].isEmpty) { return target[..<question] }
        return Substring(target[...question] + kept.joined(separator: "&"))
    }

    /// The executor's base path joined with the caller's remainder, without decoding anything.
    static func upstreamURI(base: String, remainder: Substring) -> String {
        if remainder.isEmpty { return base.isEmpty ? "/" : base }
        if remainder.first == "?" { return (base.isEmpty ? "/" : base) + remainder }
        return base + remainder
    }
}
