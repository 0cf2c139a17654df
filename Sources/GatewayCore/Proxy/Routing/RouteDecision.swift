import NIOHTTP1

/// What the gateway does with a request head, as `RequestRouter` decides it.
enum RouteDecision {
    /// A control route (`/livez`, `/readyz`, `/metrics`, health, status), answered by the handler.
    case control(path: Substring)
    /// Answered by the gateway with an error, in the route's format.
    case reject(Refusal)
    /// Sent to a connector's upstream.
    case forward(ForwardPlan)

    struct Refusal {
        var error: ProxyError
        var format: ErrorResponse.Format
        /// The connector the caller named ("" when none), for the body and the metric label.
        var connector: String
        /// The authenticated principal, or "-".
        var principal: String
        /// The connection is closed after the answer (its framing can no longer be trusted).
        var close: Bool = false
        /// How the principal authenticated, once it did.
        var auth: AuthMethod?
    }

    /// Everything the exchange needs to forward one request.
    struct ForwardPlan {
        var target: UpstreamTarget
        var upstreamHead: UpstreamRequestHead
        var principal: String
        /// How the principal authenticated (the access line's `gateway.auth`).
        var auth: AuthMethod?
        var format: ErrorResponse.Format
        var expectsContinue: Bool
        /// Rewrites upstream URLs (routes that declare it).
        var rewriter: URLRewriter?
        /// The JSON request body is collected and rewritten, not streamed.
        var bufferRequestBody: Bool
        /// A WebSocket handshake: the exchange becomes a tunnel after the upstream's 101.
        var upgrade = false
    }
}
