import Foundation
import NIOHTTP1

/// Turns what a probe saw into a state. Pure: the rules of section 6 of the design, unit-tested.
enum HealthClassifier {
    /// Judges a probe answer that arrived after `latency` seconds over `tls` (nil for plain
    /// connections). `credential` names the injected credential for the reason (`auth.api_key`).
    static func classify(
        _ answer: ProbeAnswer, latency: Double, tls: TLSSummary?, thresholds: HealthThresholds, now: Date,
        credential: String?
    ) -> HealthVerdict {
        switch answer {
        case let .http(status, healthy, excerpt):
            if healthy.contains(status) {
                return judgeHealthy(answered: "answered HTTP \(status)", latency: latency, tls: tls, thresholds: thresholds, now: now)
            }
            return unhealthyHTTP(status: status, healthy: healthy, excerpt: excerpt, credential: credential)
        case let .grpc(httpStatus, grpcStatus, message, serving, service):
            if httpStatus != 200 {
                return unhealthyHTTP(status: httpStatus, healthy: [200], excerpt: message, credential: credential)
            }
            return grpc(
                grpcStatus: grpcStatus, message: message, serving: serving, service: service, latency: latency,
                tls: tls, thresholds: thresholds, now: now)
        }
    }

    /// A healthy answer is `ok` unless it was slow or its certificate expires soon (`degraded`).
    static func judgeHealthy(
        answered: String, latency: Double, tls: TLSSummary?, thresholds: HealthThresholds, now: Date
    ) -> HealthVerdict {
        var findings: [(HealthStep, String)] = []
        if let tls, tls.expires(within: thresholds.certificateWarningDays, now: now),
            let expiry = HealthFormat.expiry(tls, now: now), let notValidAfter = tls.notValidAfter
        {
            findings.append(
                (
                    .tls,
                    notValidAfter < now
                        ? "the executor's certificate \(expiry): renew it"
                        : "the executor's certificate expires in \(expiry), within cert_expiry_warning_days (\(thresholds.certificateWarningDays)): renew it"
                ))
        }
        if latency > thresholds.degradedAfter {
            findings.append(
                (
                    .probe,
                    "the probe took \(HealthFormat.milliseconds(latency)), over health.degraded_after (\(HealthFormat.milliseconds(thresholds.degradedAfter))); the upstream is slow"
                ))
        }
        guard let first = findings.first else {
            return HealthVerdict(.ok, at: .probe, "\(answered) in \(HealthFormat.milliseconds(latency))")
        }
        return HealthVerdict(.degraded, at: first.0, findings.map(\.1).joined(separator: "; "))
    }

    static func unhealthyHTTP(status: Int, healthy: Set<Int>, excerpt: String?, credential: String?) -> HealthVerdict {
        let phrase = statusText(status)
        let body = excerpt.map { "; body: \($0)" } ?? ""
        switch status {
        case 500...599:
            return HealthVerdict(
                .skip, at: .probe,
                "the upstream answered \(phrase): a fault of the shared service, reported and not routed around\(body)")
        case 401, 407, 403:
            let refused =
                status == 403 ? "refused the gateway's credential (HTTP 403 Forbidden)" : "did not accept the gateway's credential (\(phrase))"
            let fix =
                credential.map { "check the secret behind \($0) and its permissions upstream" }
                ?? "the connector injects no credential: set one under auth"
            return .fail(at: .probe, "the upstream \(refused): \(fix)")
        default:
            let expected = healthy.sorted().map(String.init).joined(separator: " or ")
            return .fail(
                at: .probe,
                "the probe answered \(phrase), expected \(expected): check health.path and the executor URL's path\(body)")
        }
    }

    static func grpc(
        grpcStatus: Int?, message: String?, serving: GRPCServingStatus?, service: String, latency: Double,
        tls: TLSSummary?, thresholds: HealthThresholds, now: Date
    ) -> HealthVerdict {
        let detail = message.map { ": \($0)" } ?? ""
        let name = service.isEmpty ? "the server" : "'\(service)'"
        switch grpcStatus {
        case 0?:
            switch serving {
            case .serving?:
                return judgeHealthy(answered: "\(name) is SERVING", latency: latency, tls: tls, thresholds: thresholds, now: now)
            case .notServing?, .unknown?:
                return HealthVerdict(
                    .skip, at: .probe,
                    "the gRPC health service reports \(name) as \(serving!.name): a fault of the shared service, reported and not routed around")
            case .serviceUnknown?:
                return .fail(at: .probe, "the gRPC health service does not know \(name): check health_service")
            case nil:
                return .fail(at: .probe, "the gRPC health answer carried no HealthCheckResponse")
            }
        case 5?:
            return .fail(at: .probe, "the gRPC health service does not know \(name) (NOT_FOUND\(detail)): check health_service")
        case 12?:
            return .fail(
                at: .probe, "the server does not implement grpc.health.v1.Health (UNIMPLEMENTED\(detail)): is executor_address the gRPC frontend?")
        case 7?, 16?:
            return .fail(at: .probe, "the server refused the health call (\(GRPCStatusName.name(grpcStatus!))\(detail))")
        case 14?:
            return HealthVerdict(
                .skip, at: .probe,
                "the server answered UNAVAILABLE\(detail): a fault of the shared service, reported and not routed around")
        case let code?:
            return .fail(at: .probe, "the gRPC health call failed with \(GRPCStatusName.name(code))\(detail)")
        case nil:
            return .fail(at: .probe, "the gRPC answer ended without a grpc-status trailer")
        }
    }

    /// `HTTP 503 Service Unavailable`, or `HTTP 599` for a status without a standard phrase.
    static func statusText(_ status: Int) -> String {
        let phrase = HTTPResponseStatus(statusCode: status).reasonPhrase
        return phrase.isEmpty ? "HTTP \(status)" : "HTTP \(status) \(phrase)"
    }
}
