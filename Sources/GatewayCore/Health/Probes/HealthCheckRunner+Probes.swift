import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTP2

extension HealthCheckRunner {
    /// `GET <executor URL><path>` with the route's Host header and injected credential.
    func probeHTTP(
        _ channel: any Channel, target: UpstreamTarget, path: String, healthy: Set<Int>, plan: HealthPlan,
        deadline: NIODeadline, progress: inout CheckProgress
    ) async throws(StepFailure) -> HealthVerdict {
        let head = Self.probeHead(target: target, path: path)
        let scheme = target.useTLS ? "https" : "http"
        let request = "GET \(scheme)://\(HostPort(host: target.host, port: target.port))\(head.uri)"
        let start = ContinuousClock.now
        let answer: HTTPProbeHandler.Answer
        let promise = channel.eventLoop.makePromise(of: HTTPProbeHandler.Answer.self)
        do {
            try await channel.eventLoop.submit {
                let sync = channel.pipeline.syncOperations
                try sync.addHTTPClientHandlers()
                try sync.addHandler(HTTPProbeHandler(head: head, promise: promise))
                try ReadHoldingHandler.release(sync)
            }.get(before: deadline)
            answer = try await promise.futureResult.get(before: deadline)
        } catch {
            // The upstream may close right after the handshake (a TLS 1.3 server refusing the
            // client certificate), before the probe handler is in place: complete the promise
            // so it is not leaked (completing it twice is a no-op).
            promise.fail(error)
            throw Self.probeFailed(error, kind: .http, request: request, plan: plan, since: start, progress: &progress)
        }
        // Scrubbed before it is cut, so no part of a secret survives at the cut.
        let excerpt = HealthFormat.excerpt(Array(plan.scrubber.scrub(String(decoding: answer.body, as: UTF8.self)).utf8))
        let verdict = HealthClassifier.classify(
            .http(status: answer.status, healthy: healthy, excerpt: excerpt),
            latency: answer.latency, tls: progress.tls, thresholds: plan.thresholds, now: Date(),
            credential: plan.credential)
        progress.probe = ProbeResult(
            kind: .http, request: request, status: answer.status, latencySeconds: answer.latency,
            bodyExcerpt: healthy.contains(answer.status) ? nil : excerpt)
        progress.record(
            .probe, .ok, since: start,
            "\(HealthClassifier.statusText(answer.status)) in \(HealthFormat.milliseconds(answer.latency))")
        return verdict
    }

    /// The User-Agent of every probe (HTTP and gRPC), so upstream logs can tell checks from traffic.
    static let userAgent = "fractalops-gateway-health/1"

    /// A probe that got no answer: recorded as the failed `probe` step, with the reason.
    static func probeFailed(
        _ error: any Error, kind: ProbeResult.Kind, request: String, plan: HealthPlan, since start: ContinuousClock.Instant,
        progress: inout CheckProgress
    ) -> StepFailure {
        let reason = HealthFailure.probe(error, request: request, timeout: plan.thresholds.timeout)
        progress.probe = ProbeResult(kind: kind, request: request)
        progress.record(.probe, .fail, since: start, reason)
        return StepFailure(verdict: .fail(at: .probe, reason))
    }

    /// The probe's request head: what the data path sends for the same path, minus a caller.
    static func probeHead(target: UpstreamTarget, path: String) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "host", value: target.hostHeader)
        headers.add(name: "user-agent", value: userAgent)
        headers.add(name: "accept", value: "*/*")
        var ids = RequestIDGenerator()
        headers.add(name: "x-request-id", value: "health-\(RequestID.generate(using: &ids))")
        if case let .fixed(address) = target.forwardedFor {
            headers.add(name: "x-forwarded-for", value: address)
            headers.add(name: "x-real-ip", value: address)
        }
        if let credential = target.credential {
            credential.value.withUnredactedValue { headers.add(name: credential.name, value: $0) }
        }
        headers.add(name: "connection", value: "close")
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: target.basePath + path, headers: headers)
    }

    /// `grpc.health.v1.Health/Check` over HTTP/2 (prior knowledge, or ALPN h2 over TLS).
    func probeGRPC(
        _ channel: any Channel, target: GRPCProbeTarget, plan: HealthPlan, deadline: NIODeadline,
        progress: inout CheckProgress
    ) async throws(StepFailure) -> HealthVerdict {
        let request = "grpc \(HostPort(host: target.host, port: target.port)) \(GRPCHealthCodec.path)(\"\(target.service)\")"
        let start = ContinuousClock.now
        if let tls = progress.tls, tls.alpn != "h2" {
            let reason =
                "the frontend at \(HostPort(host: target.host, port: target.port)) did not agree to HTTP/2 over TLS (ALPN \(tls.alpn ?? "none")): is it a gRPC endpoint?"
            progress.record(.probe, .fail, since: start, reason)
            throw StepFailure(verdict: .fail(at: .probe, reason))
        }
        let answer: GRPCHealthStreamHandler.Answer
        let promise = channel.eventLoop.makePromise(of: GRPCHealthStreamHandler.Answer.self)
        do {
            let timeout = plan.thresholds.timeout
            try await channel.eventLoop.submit {
                let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                    mode: .client, connectionConfiguration: .init(), streamConfiguration: .init()
                ) { $0.eventLoop.makeSucceededVoidFuture() }
                try ReadHoldingHandler.release(channel.pipeline.syncOperations)
                let created = channel.eventLoop.makePromise(of: (any Channel).self)
                created.futureResult.whenFailure { promise.fail($0) }
                multiplexer.createStreamChannel(promise: created) { stream in
                    stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(
                            GRPCHealthStreamHandler(target: target, timeout: timeout, promise: promise))
                    }
                }
            }.get(before: deadline)
            answer = try await promise.futureResult.get(before: deadline)
        } catch {
            promise.fail(error)  // not leaked when the channel closed before the stream was made
            throw Self.probeFailed(error, kind: .grpc, request: request, plan: plan, since: start, progress: &progress)
        }
        progress.probe = ProbeResult(
            kind: .grpc, request: request, status: answer.httpStatus, latencySeconds: answer.latency,
            grpcStatus: answer.grpcStatus, grpcMessage: answer.grpcMessage, servingStatus: answer.serving?.name)
        progress.record(
            .probe, .ok, since: start,
            "grpc-status \(answer.grpcStatus.map(GRPCStatusName.name) ?? "missing"), \(answer.serving?.name ?? "no status") in \(HealthFormat.milliseconds(answer.latency))"
        )
        return HealthClassifier.classify(
            .grpc(
                httpStatus: answer.httpStatus, grpcStatus: answer.grpcStatus, message: answer.grpcMessage,
                serving: answer.serving, service: target.service),
            latency: answer.latency, tls: progress.tls, thresholds: plan.thresholds, now: Date(), credential: nil)
    }
}
