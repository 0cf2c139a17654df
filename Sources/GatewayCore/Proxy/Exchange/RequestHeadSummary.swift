import NIOHTTP1

/// What routing and framing need from a caller's request head, read in one pass over its
/// headers, and the protocol-level refusals decided from it before anything else. Values are
/// ranges of the head's bytes (`CallerRequestHead.text` makes a string of one when needed).
struct RequestHeadSummary {
    /// The token of `Authorization: Bearer <token>` (the last `Authorization` field's).
    var bearerToken: Range<Int>?
    var wantsUpgrade = false
    /// `Upgrade: websocket`, alone.
    var upgradeIsWebSocket = false
    /// A `Connection` header lists `upgrade` (RFC 9110 section 7.8: an upgrade needs both).
    var connectionUpgrade = false
    var contentLength: Int?
    var contentLengthCount = 0
    var contentLengthValid = true
    var transferEncodingCount = 0
    var transferEncodingIsChunked = false
    var expectsContinue = false
    var host: Range<Int>?
    var hostCount = 0
    var contentType: Range<Int>?
    /// The first `X-Request-Id` field's value (taken when `RequestID.accept` takes it).
    var requestID: Range<Int>?
    var headerBytes = 0

    static let maxHeaderBytes = 64 * 1024

    init(_ head: borrowing CallerRequestHead) {
        head.withFields { raw, lines in
            for line in lines {
                let name = raw[line.name]
                let value = raw[line.value]
                headerBytes += name.count + value.count + 4
                switch name.count {
                case 13 where HeaderName.equals(bytes: name, "authorization"):
                    bearerToken = Self.bearerToken(value)  // the last one, as before
                case 7 where HeaderName.equals(bytes: name, "upgrade"):
                    upgradeIsWebSocket = !wantsUpgrade && HeaderName.equals(bytes: HopByHop.trimmed(value), "websocket")
                    wantsUpgrade = true
                case 10 where HeaderName.equals(bytes: name, "connection"):
                    HopByHop.forEachToken(value) { token in
                        if HeaderName.equals(bytes: token, "upgrade") { connectionUpgrade = true }
                    }
                case 14 where HeaderName.equals(bytes: name, "content-length"):
                    contentLengthCount += 1
                    // Optional whitespace around the value is allowed (RFC 9110 section 5.5).
                    if let length = Self.decimal(HopByHop.trimmed(value)) {
                        contentLength = length
                    } else {
                        contentLengthValid = false
                    }
                case 17 where HeaderName.equals(bytes: name, "transfer-encoding"):
                    transferEncodingCount += 1
                    transferEncodingIsChunked = HeaderName.equals(bytes: HopByHop.trimmed(value), "chunked")
                case 6 where HeaderName.equals(bytes: name, "expect"): expectsContinue = HeaderName.equals(bytes: value, "100-continue")
                case 4 where HeaderName.equals(bytes: name, "host"):
                    hostCount += 1
                    host = line.value
                case 12 where HeaderName.equals(bytes: name, "content-type"): contentType = line.value
                case 12 where requestID == nil && HeaderName.equals(bytes: name, "x-request-id"): requestID = line.value
                default: break
                }
            }
        }
    }

    /// The token after `Bearer ` (any case), as a range of the head; nil for another scheme.
    private static func bearerToken(_ value: Slice<UnsafeRawBufferPointer>) -> Range<Int>? {
        guard value.count > 7, HeaderName.hasPrefix(bytes: value, "bearer ") else { return nil }
        return value.startIndex + 7..<value.endIndex
    }

    /// `1*DIGIT`, of at most 18 digits.
    private static func decimal(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Body bytes may follow the head.
    var declaresBody: Bool { transferEncodingCount > 0 || (contentLength ?? 0) > 0 || !contentLengthValid }

    /// The framing of the request sent upstream (valid only when `refusal` is nil).
    var framing: RequestFraming {
        if transferEncodingCount > 0 { return .chunked }
        if let contentLength { return .length(contentLength) }
        return .none
    }

    /// Why the gateway refuses this head outright, whoever sends it (the connection is closed
    /// after the answer): methods without body semantics a proxy could keep, framing it does not
    /// forward exactly, a missing or repeated Host, a fragment, an oversized head.
    func refusal(_ head: CallerRequestHead) -> ProxyError? {
        let method = head.method
        if method == .TRACE || method == .CONNECT {
            return ProxyError(
                .methodNotAllowed, status: 405, title: "Method not allowed",
                detail:
                    "\(method.rawValue) is not forwarded on machine routes: TRACE would echo the injected credential and CONNECT would open a tunnel past the gateway's rules."
            )
        }
        if transferEncodingCount > 1 || (transferEncodingCount == 1 && !transferEncodingIsChunked) {
            return ProxyError(
                .unsupportedFraming, status: 501, title: "Transfer coding not supported",
                detail:
                    "The gateway accepts request bodies with Content-Length or with exactly 'Transfer-Encoding: chunked'; other transfer codings are not forwarded."
            )
        }
        if contentLengthCount > 1 || !contentLengthValid || (contentLengthCount > 0 && transferEncodingCount > 0) {
            return ProxyError(
                .badRequest, status: 400, title: "Ambiguous request framing",
                detail:
                    "The request declares its body length more than once or in conflicting ways; send one Content-Length or 'Transfer-Encoding: chunked'."
            )
        }
        if hostCount > 1 || (hostCount == 0 && head.scanned.minorVersion >= 1) {
            return ProxyError(
                .badRequest, status: 400, title: "Bad Host header",
                detail: hostCount == 0 ? "HTTP/1.1 requests must carry a Host header." : "The request carries more than one Host header.")
        }
        if head.withTarget({ $0.contains(UInt8(ascii: "#")) }) {
            return ProxyError(
                .badRequest, status: 400, title: "Fragment in request target",
                detail: "A request target never carries a '#fragment'; remove it.")
        }
        if headerBytes > Self.maxHeaderBytes {
            return ProxyError(
                .limit, status: 431, title: "Request headers too large",
                detail: "The request headers take \(headerBytes) bytes; the gateway accepts at most \(Self.maxHeaderBytes).")
        }
        return nil
    }
}
