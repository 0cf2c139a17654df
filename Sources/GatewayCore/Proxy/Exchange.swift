import NIOCore
import NIOHTTP1

/// One proxied request and its response, from the caller's head to the last byte back.
final class Exchange {
    let target: UpstreamTarget
    let clientHead: HTTPRequestHead
    var upstreamHead: HTTPRequestHead
    let requestID: String
    let principal: String
    let format: ErrorResponse.Format
    let started: NIODeadline
    var keepAliveClient: Bool
    let expectsContinue: Bool

    var connection: UpstreamConnection?
    var reusedConnection = false
    var attempts = 0
    /// Parts received from the caller while no upstream connection was ready.
    var buffered: [HTTPClientRequestPart] = []
    var requestBodyBytes = 0
    var sentBodyParts = 0
    /// The caller's request has ended (all of it received).
    var requestReceived = false
    /// All of the request has been written upstream.
    var requestSent = false
    var upstreamStarted: NIODeadline?
    var upstreamSeconds: Double?
    var responseHeadSent = false
    var responseStatus = 0
    var responseBodyBytes = 0
    var responseKeepAlive = true
    var finished = false
    var lastActivity: NIODeadline
    /// When the whole request had been written upstream (start of the first-byte wait).
    var requestSentAt: NIODeadline?
    var upstreamNeedsFlush = false
    /// Rewrites upstream URLs for routes that declare it.
    var rewriter: URLRewriter?
    /// The request body is collected (to be rewritten) instead of streamed.
    var bufferRequestBody = false
    /// Made only for routes that rewrite: an empty ByteBuffer still allocates.
    var requestBuffer: ByteBuffer?
    /// A JSON response head held back until its rewritten body is complete.
    var pendingResponseHead: HTTPResponseHead?
    var responseBuffer: ByteBuffer?
    var clientNeedsFlush = false
    /// `gateway.limits.request_body_timeout` and `request_body_min_rate`.
    let bodyTimeout: TimeAmount
    let bodyMinRate: Int

    init(
        target: UpstreamTarget, clientHead: HTTPRequestHead, upstreamHead: HTTPRequestHead, requestID: String,
        principal: String, format: ErrorResponse.Format, expectsContinue: Bool, limits: ClientLimits = .defaults,
        started: NIODeadline = .now()
    ) {
        self.bodyTimeout = TimeAmount(seconds: limits.requestBodyTimeout)
        self.bodyMinRate = limits.requestBodyMinRate
        self.target = target
        self.clientHead = clientHead
        self.upstreamHead = upstreamHead
        self.requestID = requestID
        self.principal = principal
        self.format = format
        self.started = started
        self.lastActivity = self.started
        self.keepAliveClient = clientHead.isKeepAlive
        self.expectsContinue = expectsContinue
    }

    /// When this exchange times out if nothing happens: the first-byte deadline while waiting
    /// for the answer, otherwise the idle deadline after the last activity.
    var deadline: NIODeadline {
        if requestSent, !responseHeadSent, let sent = requestSentAt {
            return sent + target.firstByteTimeout
        }
        let idle = lastActivity + target.idleTimeout
        if let body = bodyDeadline, body < idle { return body }
        return idle
    }

    /// While the request body is still arriving: when it must be complete. The base timeout,
    /// plus one second per `bodyMinRate` bytes received, so only a trickle runs out of time.
    var bodyDeadline: NIODeadline? {
        guard !requestReceived, bodyMinRate > 0 else { return nil }
        return started + bodyTimeout + .nanoseconds(Int64(requestBodyBytes) * 1_000_000_000 / Int64(bodyMinRate))
    }

    /// Idempotent methods may be retried when nothing of the request body was sent.
    var mayRetry: Bool {
        guard attempts < 2, !responseHeadSent, sentBodyParts == 0, requestBodyBytes == 0 else { return false }
        switch clientHead.method {
        case .GET, .HEAD, .OPTIONS, .PUT, .DELETE, .TRACE: return true
        default: return false
        }
    }
}
