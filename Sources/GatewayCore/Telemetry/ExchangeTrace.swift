import NIOHTTP1
import Tracing

/// The spans of one request through the gateway: a server span from the caller's request to
/// the end of the answer (child of the caller's `traceparent`, when it sent one), a client span
/// per upstream attempt (`http.request.resend_count` on a retry), whose context the upstream
/// receives as its `traceparent`, and for a WebSocket handshake the tunnel span that follows.
/// Attributes after the stable HTTP semantic conventions; the query is never recorded.
///
/// A request the sampler leaves out makes no span at all: it keeps the caller's trace context
/// as it is, or, without one, passes on fresh ids with the sampled flag off.
final class ExchangeTrace {
    private let tracer: any Tracer
    /// Nil when the request is not sampled.
    private let server: (any Span)?
    private var client: (any Span)?
    /// The server span ended with a 101: the tunnel's span carries on.
    private var tunnelled = false
    /// The current attempt's upstream, for its `url.full`.
    private var scheme = "http"
    private var authority = ""
    /// Not sampled and no caller's trace: the `traceparent` the upstream gets (flag 00).
    private let unsampledTraceparent: String?
    /// The ids of the request's log lines: the server span's, or the unsampled trace's.
    let ids: TraceIDs?

    /// What a server span says of the request.
    struct Request {
        var head: HTTPRequestHead
        var connector: String
        var principal: String
        var requestID: String
        var peer: String
        var scheme: String
        var runtimeAsset: RuntimeAsset?
    }

    /// The request's trace: spans when `tracer`'s sampler takes it, else only its ids.
    init(_ tracer: RequestTracer, request: Request, random: inout RequestIDGenerator) {
        self.tracer = tracer.tracer
        let parent = TraceParent(request.head.headers.first(name: "traceparent"))
        guard tracer.sampler.sampled(parent, random: { random.next() }) else {
            server = nil
            if let parent {
                unsampledTraceparent = nil
                ids = TraceIDs(traceID: String(parent.traceID), spanID: String(parent.spanID))
            } else {
                let ids = TraceIDs(
                    traceID: RequestID.generate(using: &random),
                    spanID: String(String(random.next(), radix: 16).suffix(16)).leftPadded(to: 16))
                unsampledTraceparent = "00-\(ids.traceID)-\(ids.spanID)-00"
                self.ids = ids
            }
            return
        }
        unsampledTraceparent = nil
        var context = ServiceContext.topLevel
        tracer.tracer.extract(request.head.headers, into: &context, using: HTTPHeadersExtractor())
        let path = Self.path(of: request.head.uri)
        let family = path.hasPrefix("/scim/") ? "scim" : "executor"
        let route = request.connector.isEmpty ? nil : "/\(family)/\(request.connector)/*"
        let method = request.head.method.rawValue
        let server = tracer.tracer.startSpan(route.map { "\(method) \($0)" } ?? method, context: context, ofKind: .server)
        server.attributes["http.request.method"] = method
        if let route { server.attributes["http.route"] = route }
        server.attributes["url.path"] = path
        server.attributes["url.scheme"] = request.scheme
        if let host = request.head.headers.first(name: "host") {
            let authority = HostPort(parsing: host)
            server.attributes["server.address"] = authority?.host ?? host
            if let port = authority?.port { server.attributes["server.port"] = port }
        }
        server.attributes["client.address"] = request.peer
        server.attributes["network.protocol.version"] = "\(request.head.version.major).\(request.head.version.minor)"
        if !request.connector.isEmpty { server.attributes["fractalops.connector"] = request.connector }
        if !request.principal.isEmpty { server.attributes["fractalops.principal"] = request.principal }
        if let asset = request.runtimeAsset { server.attributes["fractalops.runtime_asset.id"] = asset.id }
        server.attributes["fractalops.request_id"] = request.requestID
        var traceparent: String?
        tracer.tracer.inject(server.context, into: &traceparent, using: TraceIDs.Carrier())
        ids = TraceIDs(traceparent: traceparent)
        self.server = server
    }

    /// A request the gateway answered itself (refused, rate limited): its trace, begun and ended.
    static func answered(
        _ tracer: RequestTracer, request: Request, error: ProxyError, random: inout RequestIDGenerator
    ) -> TraceIDs? {
        let trace = ExchangeTrace(tracer, request: request, random: &random)
        trace.finish(status: error.status, error: error.kind.rawValue, detail: error.detail)
        return trace.ids
    }

    /// An upstream attempt starts (a connection is sought): its client span.
    func attemptStarted(method: HTTPMethod, target: UpstreamTarget, resendCount: Int) {
        guard let server else { return }
        client?.end()
        let span = tracer.startSpan(method.rawValue, context: server.context, ofKind: .client)
        span.attributes["http.request.method"] = method.rawValue
        span.attributes["server.address"] = target.host
        span.attributes["server.port"] = target.port
        if resendCount > 0 { span.attributes["http.request.resend_count"] = resendCount }
        client = span
        scheme = target.useTLS ? "https" : "http"
        authority = "\(target.host):\(target.port)"
    }

    /// The attempt's request goes out: the client span's context replaces any `traceparent`
    /// and `tracestate` of the caller's in `head` (or, not sampled, the ids passed on).
    func requestSent(_ head: inout UpstreamRequestHead) {
        guard let client else {
            if let unsampledTraceparent {
                head.remove(["tracestate", "traceparent"])
                head.add("traceparent", unsampledTraceparent)
            }
            return
        }
        client.attributes["url.full"] = "\(scheme)://\(authority)\(Self.path(of: head.uri))"
        var context = HTTPHeaders()
        tracer.inject(client.context, into: &context, using: HTTPHeadersInjector())
        // What the tracer writes replaces the caller's fields of those names.
        head.remove(["traceparent", "tracestate"] + context.map(\.name))
        for (name, value) in context { head.add(name, value) }
    }

    /// The upstream's answer began.
    func responseHead(status: Int) {
        guard let client else { return }
        client.attributes["http.response.status_code"] = status
        if status >= 400 {
            client.attributes["error.type"] = String(status)
            client.setStatus(SpanStatus(code: .error))
        }
    }

    /// The attempt failed before an answer (a retry may follow).
    func attemptFailed(_ error: ProxyError) {
        guard let client else { return }
        self.client = nil
        client.attributes["error.type"] = error.typeURI
        client.setStatus(SpanStatus(code: .error, message: error.detail))
        client.end()
    }

    /// The upstream switched to WebSocket: the server span ends with the 101 and the tunnel's
    /// span begins (ended by the tunnel's monitor); nil when the request is not sampled.
    func tunnelOpened(connector: String) -> (any Span)? {
        guard let server else { return nil }
        client?.end()
        client = nil
        tunnelled = true
        server.attributes["http.response.status_code"] = 101
        let tunnel = tracer.startSpan("WebSocket tunnel", context: server.context, ofKind: .internal)
        tunnel.attributes["fractalops.connector"] = connector
        server.end()
        return tunnel
    }

    /// The exchange ended with `status`; `error` is the gateway's error kind when it made the answer.
    func finish(status: Int, error: String?, detail: String? = nil) {
        guard let server, !tunnelled else { return }
        let problemType = error.flatMap(ProxyError.Kind.init(rawValue:))?.typeURI
        if let client {
            self.client = nil
            if let problemType, status >= 500 {
                client.attributes["error.type"] = problemType
                client.setStatus(SpanStatus(code: .error, message: detail))
            }
            client.end()
        }
        if status > 0 { server.attributes["http.response.status_code"] = status }
        if let problemType {
            server.attributes["error.type"] = problemType
        } else if status >= 500 {
            server.attributes["error.type"] = String(status)
        }
        if status >= 500 || status == 0 { server.setStatus(SpanStatus(code: .error, message: detail)) }
        server.end()
    }

    /// The path of a request target, without its query.
    static func path(of uri: String) -> String {
        guard let query = uri.firstIndex(of: "?") else { return uri }
        return String(uri[..<query])
    }
}

extension String {
    /// The string with leading zeros up to `length` characters.
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
