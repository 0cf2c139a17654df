import NIOCore
import NIOHTTP1

/// Shapes the request head sent upstream: the executor path, the connector's Host header and
/// credential, truthful forwarding headers, the framing the gateway decided, and nothing
/// hop-by-hop, caller-credential or gateway-owned. One pass over the caller's headers, whatever
/// their number.
enum RequestRewriter {
    /// True for caller headers the gateway owns: it sets them itself (`Host`, the forwarding
    /// headers, the request id, the framing) or no caller may set them (URL-override headers
    /// some servers trust). Names are compared with `_` read as `-`, so `X_Forwarded_For`
    /// cannot pass where `X-Forwarded-For` would be dropped.
    @inline(__always)
    static func isGatewayOwned<Name: Collection<UInt8>>(_ name: Name) -> Bool {
        switch name.count {
        case 4: return HeaderName.equalsFolded(name, "host")
        case 6: return HeaderName.equalsFolded(name, "expect")
        case 9: return HeaderName.equalsFolded(name, "forwarded") || HeaderName.equalsFolded(name, "x-real-ip")
        case 11: return HeaderName.equalsFolded(name, "x-client-ip")
        case 12: return HeaderName.equalsFolded(name, "x-request-id")
        case 13: return HeaderName.equalsFolded(name, "x-rewrite-url")
        case 14:
            return HeaderName.equalsFolded(name, "content-length") || HeaderName.equalsFolded(name, "x-original-url")
                || HeaderName.equalsFolded(name, "true-client-ip")
        default: return name.count > 12 && HeaderName.hasPrefixFolded(name, "x-forwarded-")
        }
    }

    /// True for a caller header (or trailer) that must not reach the upstream.
    @inline(__always)
    static func isDropped<Name: Collection<UInt8>>(_ name: Name, target: UpstreamTarget, connectionTokens: Set<String>) -> Bool {
        if isGatewayOwned(name) || HopByHop.isHopByHop(bytes: name, connectionTokens: connectionTokens) { return true }
        let count = name.count
        for removed in target.removedRequestHeaderBytes where removed.count == count && HeaderName.equalsFolded(name, folded: removed) {
            return true
        }
        return false
    }

    /// `uriRemainder` is the canonical path after `/executor/<connector>` and the raw query.
    /// `framing` is what the gateway decided from the caller's head; nil derives it from the
    /// head's own framing headers (for heads the gateway made itself). `storage`: the buffer of
    /// an earlier head to write into (`UpstreamRequestHead`).
    static func upstreamHead(
        client: CallerRequestHead, uriRemainder: Substring, target: UpstreamTarget, peerAddress: String, requestID: String,
        publicURL: EndpointURL? = nil, framing: RequestFraming? = nil, callerScheme: String = "http",
        reusing storage: consuming ByteBuffer? = nil
    ) -> UpstreamRequestHead {
        let remainder =
            target.strippedQueryParameters.isEmpty
            ? uriRemainder : withoutParameters(uriRemainder, target.strippedQueryParameters)
        let (path, rest) = upstreamURI(base: target.basePath, remainder: remainder)
        let size = path.utf8.count + rest.utf8.count + requestID.utf8.count + target.hostHeader.utf8.count + client.scanned.fields.end + 160
        // Written once, as the bytes that go upstream: the kept caller fields, then the gateway's.
        var head = UpstreamRequestHead(
            method: client.method, path: path, remainder: rest, framing: framing ?? .none, capacity: size, reusing: storage)
        var clientHost: String?
        var declared: RequestFraming?
        client.withFields { raw, lines in
            let tokens = HopByHop.connectionTokens(raw, client.scanned.fields)
            // A kept line is at most one byte longer than the caller's (`name:value` gets its space).
            head.append(capacity: client.scanned.fields.end + lines.count) { out in
                for line in lines {
                    let name = raw[line.name]
                    let value = raw[line.value]
                    guard isDropped(name, target: target, connectionTokens: tokens) else {
                        out.line(UnsafeRawBufferPointer(rebasing: name), UnsafeRawBufferPointer(rebasing: value))
                        continue
                    }
                    if HeaderName.equals(bytes: name, "content-length") {
                        declared = .length(Int(String(decoding: value, as: UTF8.self)) ?? 0)
                    } else if HeaderName.equals(bytes: name, "transfer-encoding") {
                        declared = .chunked
                    } else if HeaderName.equals(bytes: name, "host") {
                        clientHost = String(decoding: value, as: UTF8.self)
                    }
                }
            }
        }
        if framing == nil, let declared { head.framing = declared }
        // The gateway's own lines, in one write.
        let forwarded: String
        switch target.forwardedFor {
        case .client: forwarded = peerAddress
        case let .fixed(address): forwarded = address
        }
        let proto = publicURL?.scheme.rawValue ?? callerScheme
        let forwardedHost = publicURL.map(\.authority) ?? clientHost
        let prefix = target.forwardedPrefix.map { (publicURL?.path ?? "") + $0 }
        let valueBytes =
            target.hostHeader.utf8.count + 2 * forwarded.utf8.count + proto.utf8.count + (forwardedHost?.utf8.count ?? 0)
            + (prefix?.utf8.count ?? 0) + requestID.utf8.count
        // The names and separators of the seven lines take 119 bytes.
        let lines = valueBytes + 128
        func writeLines(_ credential: (name: String, value: String)?) {
            let credentialBytes = credential.map { HeadWriter.lineSize(name: $0.name.utf8.count, value: $0.value.utf8.count) } ?? 0
            head.append(capacity: lines + credentialBytes) { out in
                out.line("host", target.hostHeader)
                out.line("x-forwarded-for", forwarded)
                out.line("x-real-ip", forwarded)
                out.line("x-forwarded-proto", proto)
                if let forwardedHost { out.line("x-forwarded-host", forwardedHost) }
                if let prefix { out.line("x-forwarded-prefix", prefix) }
                out.line("x-request-id", requestID)
                if let credential { out.line(named: credential.name, credential.value) }
            }
        }
        // The gateway's own lines and the credential in one write.
        if let credential = target.credential {
            credential.value.withUnredactedValue { writeLines((credential.name, $0)) }
        } else {
            writeLines(nil)
        }
        return head
    }

    /// The caller's trailers with the same filter as its headers; nil when none is left.
    static func upstreamTrailers(_ trailers: HTTPHeaders?, target: UpstreamTarget) -> HTTPHeaders? {
        guard let trailers, !trailers.isEmpty else { return nil }
        let tokens: Set<String> = []
        var kept = HTTPHeaders()
        for (name, value) in trailers where !isDropped(name.utf8, target: target, connectionTokens: tokens) {
            kept.add(name: name, value: value)
        }
        return kept.isEmpty ? nil : kept
    }

    /// The target with the named query parameters removed; everything else byte for byte.
    /// Names are compared after percent-decoding and lower-casing (`%6Bey` is `key`).
    static func withoutParameters(_ target: Substring, _ names: Set<String>) -> Substring {
        guard let question = target.firstIndex(of: "?") else { return target }
        let query = target[target.index(after: question)...]
        let kept = query.split(separator: "&", omittingEmptySubsequences: false).filter { pair in
            !names.contains(QueryName.decoded(pair.prefix { $0 != "=" }))
        }
        if kept.isEmpty || (kept.count == 1 && kept[0].isEmpty) { return target[..<question] }
        return Substring(target[...question] + kept.joined(separator: "&"))
    }

    /// The executor's base path and the caller's remainder, which the request target joins,
    /// without decoding anything: an empty path becomes `/`.
    static func upstreamURI(base: String, remainder: Substring) -> (path: String, remainder: Substring) {
        if remainder.isEmpty || remainder.utf8.first == UInt8(ascii: "?") { return (base.isEmpty ? "/" : base, remainder) }
        return (base, remainder)
    }
}
