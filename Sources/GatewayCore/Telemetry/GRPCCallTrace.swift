import NIOHPACK
import Tracing

/// The spans of one gRPC call through the gateway (RPC semantic conventions): a server span
/// `package.Service/Method` from the call's head to its end, child of the caller's
/// `traceparent` metadata when it sent one, and a client span for the upstream stream whose
/// context the upstream receives as its `traceparent`. A call the sampler leaves out makes no
/// span and passes the caller's trace context on as it is. Never a message, never metadata.
final class GRPCCallTrace {
    private let tracer: any Tracer
    private let server: any Span
    private var client: (any Span)?

    /// Nil when tracing is off or the sampler leaves the call out.
    init?(_ tracer: RequestTracer?, head: HPACKHeaders, connector: String, peer: String, random: () -> UInt64) {
        guard let tracer, tracer.sampler.sampled(TraceParent(head.first(name: "traceparent")), random: random) else {
            return nil
        }
        self.tracer = tracer.tracer
        var context = ServiceContext.topLevel
        tracer.tracer.extract(head, into: &context, using: HPACKHeadersExtractor())
        let path = GRPCMethodPath(head.first(name: ":path") ?? "")
        server = tracer.tracer.startSpan(path.map { "\($0.service)/\($0.method)" } ?? "grpc", context: context, ofKind: .server)
        server.attributes["rpc.system"] = "grpc"
        if let path {
            server.attributes["rpc.service"] = path.service
            server.attributes["rpc.method"] = path.method
        }
        server.attributes["client.address"] = peer
        server.attributes["fractalops.connector"] = connector
    }

    /// Who calls, in which namespace (known once the head or the first message is read).
    func caller(principal: String, namespace: String?) {
        server.attributes["fractalops.principal"] = principal
        if let namespace { server.attributes["fractalops.namespace"] = namespace }
    }

    /// The upstream stream opens: its client span; its context replaces the caller's
    /// `traceparent` and `tracestate` in `head`.
    func upstreamStarted(_ head: inout HPACKHeaders, address: HostPort) {
        let span = tracer.startSpan(server.operationName, context: server.context, ofKind: .client)
        span.attributes["rpc.system"] = "grpc"
        span.attributes["server.address"] = address.host
        span.attributes["server.port"] = address.port
        client = span
        head.remove(name: "traceparent")
        head.remove(name: "tracestate")
        tracer.inject(span.context, into: &head, using: HPACKHeadersInjector())
    }

    /// The call ended with `status`; `error` says why when the gateway answered or the call broke.
    func finish(status: GRPCStatus, error: String?) {
        for span in [client, server].compactMap({ $0 }) {
            span.attributes["rpc.grpc.status_code"] = status.code
            if status != .ok {
                span.attributes["error.type"] = status.name
                span.setStatus(SpanStatus(code: .error, message: error))
            }
            span.end()
        }
        client = nil
    }
}
