import NIOCore
import NIOHTTP1

/// One proxied request and its response, from the caller's head to the last byte back.
final class Exchange {
    let target: UpstreamTarget
    let clientHead: HTTPRequestHead
    let upstreamHead: HTTPRequestHead
    let requestID: String
    let principal: String
    let format: ErrorResponse.Format
    let started: NIODeadline
    let keepAliveClient: Bool
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
    var timer: Scheduled<Void>?
    var upstreamNeedsFlush = false
    var clientNeedsFlush = false

    init(
        target: UpstreamTarget, clientHead: HTTPRequestHead, upstreamHead: HTTPRequestHead, requestID: String,
        principal: String, format: ErrorResponse.Format
    ) {
        self.target = target
        self.clientHead = clientHead
        self.upstreamHead = upstreamHead
        self.requestID = requestID
        self.principal = principal
        self.format = format
        self.started = .now()
        self.lastActivity = self.started
        self.keepAliveClient = clientHead.isKeepAlive
        self.expectsContinue = clientHead.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
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
