/// How a request's body is delimited, decided by the gateway from the caller's validated head
/// and written upstream exactly so: the upstream head declares this framing and nothing else,
/// and `UpstreamRequestEncoder` refuses to write bytes that do not match it (RFC 9112 section 6).
enum RequestFraming: Sendable, Equatable {
    /// No body (no `Content-Length`, no `Transfer-Encoding`).
    case none
    /// `Content-Length: n`, then exactly n bytes.
    case length(Int)
    /// `Transfer-Encoding: chunked`, then chunks, the last chunk and the (filtered) trailers.
    case chunked

    /// True when body bytes may follow the head.
    var hasBody: Bool {
        switch self {
        case .none: false
        case let .length(count): count > 0
        case .chunked: true
        }
    }
}
