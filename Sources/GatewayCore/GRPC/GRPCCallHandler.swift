import Logging
import NIOCore
import NIOHPACK
import NIOHTTP2

/// One gRPC call on a caller's HTTP/2 stream. It reads the call's head and decides (through
/// `GRPCCallAuthorizer`) whether it may go on; for a method whose request names a namespace it
/// collects the first request message and reads the namespace from it first. Nothing reaches the
/// upstream before the call is allowed. Then it opens a stream on the caller connection's
/// upstream connection and passes frames both ways one to one: reads on one side wait while the
/// other side cannot take more (HTTP/2 flow control is honoured end to end), request messages
/// over the size limit are refused, trailers pass as they are. The gateway's own answers are
/// trailers-only gRPC statuses. Each call ends with one access line and its metrics.
final class GRPCCallHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// What the call's connection gives every call on it.
    struct Connection {
        var connector: String
        var policy: GRPCCallPolicy
        /// The principals of the configuration in use (read at every call).
        var principals: () -> PrincipalDirectory
        /// The `authorization` value the gateway sends upstream (the connector's credential), or nil.
        var credential: () -> String?
        var upstream: GRPCUpstream
        var metrics: GRPCCallMetrics
        var logger: Logger
        var accessLog: Bool
        var peer: String
        /// The calls in flight on the connection (this one is added while it runs).
        var calls: GRPCConnectionCalls
        /// The principals' rates and in-flight caps of the configuration in use.
        var limits: () -> RequestLimits?
        /// Nil when tracing is off.
        var tracer: RequestTracer?
    }

    enum Phase {
        case head
        /// Collecting the first request message to read the namespace from field `field`.
        case collecting(field: Int, GRPCCallAuthorizer, GRPCCallAuthorizer.Caller)
        /// Allowed; the upstream stream is being opened.
        case attaching
        case forwarding
        /// The gateway answered; what the caller still sends is dropped.
        case answered
    }

    let connection: Connection
    var phase = Phase.head
    var context: ChannelHandlerContext?
    var upstream: GRPCUpstreamStreamHandler?
    var head = HPACKHeaders()
    var collected: ByteBuffer?
    /// Frames for the upstream that arrived before its stream was open.
    var pending: [HTTP2Frame.FramePayload] = []
    var framer: GRPCMessageFramer
    var requestEnded = false
    var responseStarted = false
    var responseEnded = false
    var pendingRead = false
    var finished = false
    var longPoll = false
    var clientStreaming = false
    var known = false
    var record: GRPCCallRecord
    let started = NIODeadline.now()
    /// The call's place under the limits, released when it ends.
    var admission: RequestLimits.Admission?
    /// The call's spans, when it is traced.
    var trace: GRPCCallTrace?

    init(connection: Connection) {
        self.connection = connection
        framer = GRPCMessageFramer(limit: connection.policy.maxMessageBytes)
        record = GRPCCallRecord(connector: connection.connector, peer: connection.peer)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection.calls.add(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        connection.calls.remove(self)
    }

    /// Ends the call now with `answer` (a shutdown whose drain deadline passed).
    func end(_ answer: GRPCAnswer) {
        guard !finished else { return }
        self.answer(answer)
    }

    // MARK: - From the caller

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        switch payload {
        case let .headers(headers):
            if case .head = phase {
                head = headers.headers
                if headers.endStream { requestEnded = true }
                decide(context: context)
            } else {
                // Request trailers: no gRPC client sends them, and the gateway checked no metadata
                // in them; the request ends here and they go nowhere.
                requestEnded = true
                let end = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))
                if case let .collecting(field, authorizer, caller) = phase {
                    // The collected message goes on with END_STREAM (or the call is refused).
                    readNamespace(field: field, authorizer: authorizer, caller: caller, context: context)
                } else {
                    toUpstream(end)
                }
            }
        case let .data(frame):
            guard case let .byteBuffer(buffer) = frame.data else { return }
            if frame.endStream { requestEnded = true }
            record.bytesIn += buffer.readableBytes
            if case let .tooLarge(length) = framer.consume(buffer) {
                return answer(
                    GRPCAnswer(
                        .resourceExhausted,
                        "A request message of \(length) bytes is over the connector's limit of \(connection.policy.maxMessageBytes) bytes (max_message_bytes)."
                    ))
            }
            if framer.messages > 1, !clientStreaming {
                return answer(
                    GRPCAnswer(
                        .invalidArgument,
                        "\(record.path.map { $0.method } ?? "The call") is unary: its request carries one message, not \(framer.messages)."))
            }
            if case let .collecting(field, authorizer, caller) = phase {
                collected = collected ?? context.channel.allocator.buffer(capacity: buffer.readableBytes)
                collected!.writeImmutableBuffer(buffer)
                readNamespace(field: field, authorizer: authorizer, caller: caller, context: context)
            } else {
                toUpstream(payload)
            }
        case let .rstStream(code):
            requestEnded = true
            upstream?.write(.rstStream(code))
            upstream?.flush()
            finish(.cancelled, error: "the caller reset the stream (\(code))")
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        upstream?.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished { finish(.cancelled, error: "the caller's stream closed before the call ended") }
        upstream?.close()
        upstream = nil
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { upstream?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The caller reset the stream (NIO reports RST_STREAM as this error): the upstream's
        // stream is reset with the same code.
        if let reset = error as? NIOHTTP2Errors.StreamClosed, !finished {
            requestEnded = true
            upstream?.write(.rstStream(reset.errorCode))
            upstream?.flush()
            finish(.cancelled, error: "the caller reset the stream (\(reset.errorCode))")
        } else {
            connection.logger.debug("grpc caller stream error", metadata: ["gateway.error": "\(error)"])
        }
        context.close(promise: nil)
    }

    /// Reads wait while the upstream cannot take more, and while its stream is being opened.
    func read(context: ChannelHandlerContext) {
        switch phase {
        case .attaching: pendingRead = true
        case .forwarding:
            if upstream?.isWritable ?? false { context.read() } else { pendingRead = true }
        case .head, .collecting, .answered: context.read()
        }
    }

    /// The caller can take more: the upstream's reads may go on.
    var callerIsWritable: Bool { context?.channel.isWritable ?? false }

    // MARK: - Deciding

    private func decide(context: ChannelHandlerContext) {
        let calls = connection.calls
        trace = GRPCCallTrace(
            connection.tracer, head: head, connector: connection.connector, peer: connection.peer, random: { calls.nextRandom() })
        let method = head[":method"].first
        let contentType = head["content-type"].first ?? ""
        let path = head[":path"].first ?? ""
        record.path = GRPCMethodPath(path)
        // Protobuf only: the gateway reads the namespace from the message as protobuf, so a
        // codec it cannot read (+json, ...) is not let through.
        guard method == "POST", contentType == "application/grpc" || contentType == "application/grpc+proto" else {
            return answer(
                GRPCAnswer(
                    .invalidArgument,
                    "Connector '\(connection.connector)' listens for gRPC with protobuf messages: send POST with content-type application/grpc (got \(method ?? "no method"), \(contentType.isEmpty ? "no content-type" : contentType))."
                ))
        }
        let authorization = head["authorization"]
        if authorization.count > 1 {
            return answer(GRPCAnswer(.unauthenticated, "The call carries \(authorization.count) authorization metadata values; send one."))
        }
        var namespaceHeader: String?
        if let name = connection.policy.namespaceHeader {
            let values = head[name]
            if values.count > 1 { return answer(GRPCAnswer(.invalidArgument, "The call carries \(values.count) \(name) metadata values; send one.")) }
            namespaceHeader = values.first
        }
        let authorizer = GRPCCallAuthorizer(
            connector: connection.connector, policy: connection.policy, principals: connection.principals())
        let certificate = context.channel.parent.flatMap(CallerCertificate.of)
        switch authorizer.decide(path: path, authorization: authorization.first, namespaceHeader: namespaceHeader, certificate: certificate) {
        case let .refuse(answer, caller):
            note(caller)
            self.answer(answer)
        case let .forward(caller):
            note(caller)
            guard admit(caller) else { return }
            attach()
        case let .readNamespace(field, caller):
            note(caller)
            guard admit(caller) else { return }
            phase = .collecting(field: field, authorizer, caller)
            readNamespace(field: field, authorizer: authorizer, caller: caller, context: context)
        }
    }

    /// The principal's rate and in-flight caps (and the connector's): a call over them is
    /// RESOURCE_EXHAUSTED, as gRPC says "slow down"; an admitted call holds its place until it ends.
    private func admit(_ caller: GRPCCallAuthorizer.Caller) -> Bool {
        guard let principal = caller.principal else { return true }
        guard let limits = connection.limits(), !limits.isEmpty else { return true }
        switch limits.admit(principal: principal.name, connector: connection.connector, now: .now()) {
        case let .admitted(admission):
            self.admission = admission
            return true
        case let .refused(error, _):
            answer(GRPCAnswer(.resourceExhausted, "\(error.detail) (retry in \(error.retryAfter ?? 1) s)"))
            return false
        }
    }

    private func note(_ caller: GRPCCallAuthorizer.Caller) {
        trace?.caller(principal: caller.principalName, namespace: nil)
        record.principal = caller.principalName
        record.auth = caller.auth
        known = caller.rule != nil
        longPoll = caller.rule?.longPoll ?? false
        clientStreaming = caller.rule?.clientStreaming ?? false
    }

    /// Once the first request message is whole: its namespace decides.
    private func readNamespace(
        field: Int, authorizer: GRPCCallAuthorizer, caller: GRPCCallAuthorizer.Caller, context: ChannelHandlerContext
    ) {
        guard let message = collected.flatMap(GRPCFirstMessage.parse) else {
            if requestEnded {
                answer(GRPCAnswer(.invalidArgument, "The request ended before its first message; the gateway reads the call's namespace from it."))
            }
            return
        }
        var payload = message.payload
        if message.compressed {
            switch GRPCMessageDecompressor.decompress(
                payload, encoding: head["grpc-encoding"].first, limit: connection.policy.maxMessageBytes)
            {
            case let .success(plain): payload = plain
            case let .failure(refusal): return answer(refusal.answer)
            }
        }
        let namespace: String
        do {
            namespace = try ProtobufStringField.read(field, in: payload) ?? ""
        } catch {
            return answer(GRPCAnswer(.invalidArgument, "The request message cannot be read as protobuf (\(error)); it is not forwarded."))
        }
        record.namespace = namespace
        trace?.caller(principal: record.principal, namespace: namespace)
        if let refusal = authorizer.authorize(namespace: namespace, caller: caller) { return answer(refusal) }
        if let collected { pending.append(.data(.init(data: .byteBuffer(collected), endStream: requestEnded))) }
        collected = nil
        attach()
    }

    // MARK: - The upstream

    private func attach() {
        phase = .attaching
        if let header = connection.policy.namespaceHeader, record.namespace == nil, let value = head[header].first {
            record.namespace = value
        }
        var requestHead = upstreamHead()
        trace?.upstreamStarted(&requestHead, address: connection.upstream.target.address)
        let endStreamWithHead = requestEnded && pending.isEmpty
        let handler = GRPCUpstreamStreamHandler(call: self)
        guard let loop = context?.eventLoop else { return }
        let bound = NIOLoopBound(handler, eventLoop: loop)
        let call = NIOLoopBound(self, eventLoop: loop)
        connection.upstream.openStream { stream in
            stream.eventLoop.makeCompletedFuture { try stream.pipeline.syncOperations.addHandler(bound.value) }
        }.whenComplete { result in
            let call = call.value
            switch result {
            case let .success(stream):
                guard case .attaching = call.phase else {
                    stream.close(promise: nil)
                    return
                }
                call.phase = .forwarding
                call.upstream = bound.value
                bound.value.write(.headers(.init(headers: requestHead, endStream: endStreamWithHead)))
                for frame in call.pending { bound.value.write(frame) }
                call.pending = []
                bound.value.flush()
                if call.pendingRead {
                    call.pendingRead = false
                    call.context?.read()
                }
            case let .failure(error):
                guard case .attaching = call.phase else { return }
                call.answer(
                    GRPCAnswer(
                        .unavailable, "The upstream \(call.connection.upstream.target.address) cannot be reached: \(error)."))
            }
        }
    }

    private func toUpstream(_ payload: HTTP2Frame.FramePayload) {
        switch phase {
        case .forwarding: upstream?.write(payload)
        case .attaching, .collecting: pending.append(payload)
        case .head, .answered: break
        }
    }

    /// The caller's head as the upstream gets it: the upstream's authority and scheme, the
    /// caller's credentials removed, the connector's own injected.
    private func upstreamHead() -> HPACKHeaders {
        let target = connection.upstream.target
        var out = HPACKHeaders()
        out.add(name: ":method", value: "POST")
        out.add(name: ":scheme", value: target.scheme)
        out.add(name: ":path", value: head[":path"].first ?? "/")
        out.add(name: ":authority", value: target.authority)
        for (name, value, indexing) in head where !name.hasPrefix(":") && !Self.callerOnly.contains(name) {
            out.add(name: name, value: value, indexing: indexing)
        }
        if let credential = connection.credential() {
            out.add(name: "authorization", value: credential, indexing: .neverIndexed)
        }
        return out
    }

    /// The caller's credentials: never forwarded.
    static let callerOnly: Set<String> = ["authorization", "proxy-authorization", "x-pomerium-jwt-assertion", "cookie"]
}
