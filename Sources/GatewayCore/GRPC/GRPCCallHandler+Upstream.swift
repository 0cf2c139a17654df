import NIOCore
import NIOHPACK
import NIOHTTP2

/// What the upstream's stream sends to the call, and how a call ends (its trailers, the
/// gateway's own answers, its access line and metrics).
extension GRPCCallHandler {
    // MARK: - From the upstream

    func fromUpstream(_ payload: HTTP2Frame.FramePayload) {
        guard let context else { return }
        switch payload {
        case let .headers(headers):
            responseStarted = true
            if headers.endStream {
                responseEnded = true
                let status = headers.headers["grpc-status"].first.flatMap(GRPCStatus.init(trailer:))
                finish(status ?? .unknown, error: status == nil ? "the upstream's trailers carry no grpc-status" : nil)
            }
            context.write(wrapOutboundOut(payload), promise: nil)
        case let .data(frame):
            if case let .byteBuffer(buffer) = frame.data { record.bytesOut += buffer.readableBytes }
            if frame.endStream {
                responseEnded = true
                finish(.internalError, error: "the upstream ended the stream without trailers")
            }
            context.write(wrapOutboundOut(payload), promise: nil)
        case let .rstStream(code):
            upstreamReset(code)
        default:
            break
        }
    }

    func flushToCaller() { context?.flush() }

    /// The upstream can take more: the caller's reads may go on.
    func upstreamBecameWritable() {
        guard pendingRead, case .forwarding = phase else { return }
        pendingRead = false
        context?.read()
    }

    /// The upstream reset the call's stream: so is the caller's, with the same code.
    func upstreamReset(_ code: HTTP2ErrorCode) {
        guard !responseEnded else { return }
        responseEnded = true
        finish(Self.status(ofReset: code), error: "the upstream reset the stream (\(code))")
        context?.writeAndFlush(wrapOutboundOut(.rstStream(code)), promise: nil)
    }

    /// The upstream stream closed; a call it left unanswered ends with UNAVAILABLE (or
    /// CANCELLED when the caller's own connection is what went away).
    func upstreamClosed(error: (any Error)?) {
        upstream = nil
        guard !responseEnded, case .forwarding = phase else { return }
        if context?.channel.parent?.isActive != true {
            return finish(.cancelled, error: "the caller's connection closed before the call ended")
        }
        answer(
            GRPCAnswer(
                .unavailable,
                "The upstream closed the call before it ended\(error.map { " (\($0))" } ?? "")."))
    }

    /// gRPC's mapping of an HTTP/2 reset to a status.
    static func status(ofReset code: HTTP2ErrorCode) -> GRPCStatus {
        switch code {
        case .refusedStream: return .unavailable
        case .cancel: return .cancelled
        case .enhanceYourCalm: return .resourceExhausted
        case .inadequateSecurity: return .permissionDenied
        default: return .internalError
        }
    }

    // MARK: - Ending

    /// The gateway answers the call itself: trailers-only before any response, trailers after
    /// one; the upstream's stream (if any) is reset; a request still coming is asked to stop.
    func answer(_ answer: GRPCAnswer) {
        if let upstream {
            self.upstream = nil
            upstream.close()
        }
        phase = .answered
        pending = []
        collected = nil
        guard let context, !responseEnded else { return finish(answer.status, error: answer.message) }
        var headers = answer.headers
        if responseStarted {
            headers.remove(name: ":status")
            headers.remove(name: "content-type")
        }
        responseStarted = true
        responseEnded = true
        // Recorded first: the writes below may close the stream at once.
        finish(answer.status, error: answer.message)
        context.write(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: nil)
        if !requestEnded { context.write(wrapOutboundOut(.rstStream(.noError)), promise: nil) }
        context.flush()
    }

    func finish(_ status: GRPCStatus, error: String?) {
        guard !finished else { return }
        finished = true
        connection.calls.remove(self)
        admission?.release()
        admission = nil
        record.status = status
        record.error = error
        record.seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        connection.metrics.record(
            connector: connection.connector, path: record.path, known: known, status: status, seconds: record.seconds,
            longPoll: longPoll)
        trace?.finish(status: status, error: error)
        trace = nil
        if connection.accessLog { record.log(to: connection.logger) }
    }
}
