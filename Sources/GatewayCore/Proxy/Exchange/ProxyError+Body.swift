extension ProxyError {
    static func bodyTooLarge(_ target: UpstreamTarget) -> ProxyError {
        ProxyError(
            .limit, status: 413, title: "Request body too large",
            detail: "Connector '\(target.connector)' accepts request bodies of at most \(target.maxBodyBytes) bytes (limits.max_body_bytes).")
    }

    static func bodyTooLargeToRewrite(_ target: UpstreamTarget, limit: Int) -> ProxyError {
        ProxyError(
            .limit, status: 413, title: "Request body too large to rewrite",
            detail:
                "Connector '\(target.connector)' rewrites URLs in JSON request bodies, which the gateway buffers up to \(limit) bytes (gateway.limits.max_buffered_body_bytes)."
        )
    }

    /// The caller's bytes are no request the gateway reads (`RequestReader`).
    static func malformedRequest(_ reason: String) -> ProxyError {
        ProxyError(
            .badRequest, status: 400, title: "Malformed request",
            detail: "The request is not valid HTTP/1.1 (\(reason)); the connection is closed.")
    }

    /// A request head not complete within the most the gateway reads.
    static func headTooLarge(limit: Int) -> ProxyError {
        ProxyError(
            .limit, status: 431, title: "Request headers too large",
            detail: "The request head is longer than \(limit) bytes, the most the gateway reads.")
    }
}
