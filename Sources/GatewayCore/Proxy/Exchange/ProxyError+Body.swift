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
}
