import Foundation
import NIOCore

/// Keeps callers from seeing an upstream's own URLs: rewrites them to the gateway's in response
/// `Location` headers and JSON bodies, and back in request bodies, as the route declares.
struct URLRewriter {
    /// Upstream prefix -> gateway prefix, for responses.
    let toGateway: [(from: String, to: String)]
    /// Gateway prefix -> upstream prefix, for request bodies (only rewrites with `inRequests`).
    let toUpstream: [(from: String, to: String)]
    /// The JSON keys whose values are rewritten; nil: any string value.
    let keys: [String]?

    /// Largest JSON body that is buffered to be rewritten.
    static let maxBufferedBytes = 32 * 1024 * 1024

    /// `gatewayBase` is how the caller reached the gateway (`scheme://host[:port][/path]`);
    /// `gatewayOrigin` its `scheme://host[:port]`, under which an upstream that trusts
    /// `X-Forwarded-Host` writes its own base path.
    init(rewrites: [RouteSpec.URLRewrite], gatewayBase: String, gatewayOrigin: String? = nil) {
        var toGateway: [(String, String)] = []
        var toUpstream: [(String, String)] = []
        for rewrite in rewrites {
            let gateway = gatewayBase + rewrite.gatewayPath
            for prefix in rewrite.upstreamPrefixes { toGateway.append((prefix, gateway)) }
            if let origin = gatewayOrigin, let path = rewrite.upstreamPath, origin + path != gateway {
                toGateway.append((origin + path, gateway))
            }
            if rewrite.inRequests, let first = rewrite.upstreamPrefixes.first { toUpstream.append((gateway, first)) }
        }
        self.toGateway = toGateway
        self.toUpstream = toUpstream
        // Any rewrite without a key list widens the match to every string value.
        self.keys = rewrites.contains { $0.keys == nil } ? nil : Array(Set(rewrites.flatMap { $0.keys ?? [] })).sorted()
    }

    var rewritesRequests: Bool { !toUpstream.isEmpty }

    /// A header value that is a URL (`Location`, `Content-Location`).
    func headerToGateway(_ value: String) -> String {
        for (from, to) in toGateway where value.hasPrefix(from) {
            return to + value.dropFirst(from.count)
        }
        return value
    }

    func bodyToGateway(_ body: ByteBuffer) -> ByteBuffer { rewrite(body, toGateway) }
    func bodyToUpstream(_ body: ByteBuffer) -> ByteBuffer { rewrite(body, toUpstream) }

    /// Replaces a prefix at the start of the string value of one of `keys` (written plainly or
    /// with escaped slashes); nothing else in the document changes.
    private func rewrite(_ body: ByteBuffer, _ pairs: [(from: String, to: String)]) -> ByteBuffer {
        guard !pairs.isEmpty, let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) else {
            return body
        }
        let variants: [([UInt8], [UInt8])] = pairs.flatMap { pair in
            [
                (Array(pair.from.utf8), Array(pair.to.utf8)),
                (Array(Self.escapeSlashes(pair.from).utf8), Array(Self.escapeSlashes(pair.to).utf8)),
            ]
        }
        let keyPatterns = keys.map { $0.map { Array("\"\($0)\"".utf8) } }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 256)
        var index = 0
        var changed = false
        while index < bytes.count {
            var matched = false
            if bytes[index] == UInt8(ascii: "\""),
                let valueStart = keyPatterns.map({ Self.valueStart(bytes, at: index, keys: $0) }) ?? index + 1
            {
                for (from, to) in variants where Self.hasPrefix(bytes, at: valueStart, from) {
                    out.append(contentsOf: bytes[index..<valueStart])
                    out.append(contentsOf: to)
                    index = valueStart + from.count
                    matched = true
                    changed = true
                    break
                }
            }
            if !matched {
                out.append(bytes[index])
                index += 1
            }
        }
        return changed ? ByteBuffer(bytes: out) : body
    }

    /// If a key pattern (`"key"`) starts at `index` and is followed by `: "`, the index just
    /// after that opening quote.
    private static func valueStart(_ bytes: [UInt8], at index: Int, keys: [[UInt8]]) -> Int? {
        for key in keys where hasPrefix(bytes, at: index, key) {
            var cursor = index + key.count
            while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 || bytes[cursor] == 0x0A || bytes[cursor] == 0x0D {
                cursor += 1
            }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { continue }
            cursor += 1
            while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 || bytes[cursor] == 0x0A || bytes[cursor] == 0x0D {
                cursor += 1
            }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") else { continue }
            return cursor + 1
        }
        return nil
    }

    private static func hasPrefix(_ bytes: [UInt8], at index: Int, _ prefix: [UInt8]) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        for offset in 0..<prefix.count where bytes[index + offset] != prefix[offset] { return false }
        return true
    }

    static func escapeSlashes(_ text: String) -> String { text.replacingOccurrences(of: "/", with: "\\/") }

    /// JSON bodies (`application/json`, `application/scim+json`, any `+json`).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType = contentType?.lowercased() else { return false }
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return type == "application/json" || type.hasSuffix("+json")
    }
}
