import Foundation

@testable import GatewayCore

/// A report with one connector in each state, as the renderers' tests see it.
enum HealthReportFixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let thresholds = HealthThresholds(timeout: 3, degradedAfter: 0.1, certificateWarningDays: 14)

    static func steps(failing step: HealthStep?) -> [HealthStepResult] {
        HealthStep.allCases.map { current in
            if current == step { return HealthStepResult(current, .fail, seconds: 0.002, detail: "failed here") }
            return HealthStepResult(current, .ok, seconds: 0.001, detail: "\(current.rawValue) fine")
        }
    }

    static var report: HealthReport {
        let ok = ConnectorHealth(
            name: "langboard", kind: "langboard", state: .ok, reason: "answered HTTP 204 in 3.1 ms", decidedBy: .probe,
            checkedAt: now.addingTimeInterval(-2), seconds: 0.0042, target: "https://127.0.0.1:1002", thresholds: thresholds,
            steps: steps(failing: nil),
            tls: TLSSummary(
                verified: true, serverName: "langboard.internal", version: "TLSv1.3", alpn: "http/1.1",
                subject: "langboard.internal", names: ["langboard.internal", "IP:127.0.0.1"],
                notValidAfter: now.addingTimeInterval(3 * 86_400 + 60)),
            probe: ProbeResult(kind: .http, request: "GET https://127.0.0.1:1002/health", status: 204, latencySeconds: 0.0031),
            runtimeAsset: RuntimeAsset(id: "langboard-api", role: "executor"))
        let fail = ConnectorHealth(
            name: "nexus-scim", kind: "nexus", state: .fail,
            reason: "the executor at 127.0.0.1:9443 refused the connection: is the service running and listening on that port?",
            decidedBy: .connect, checkedAt: now.addingTimeInterval(-2), seconds: 0.0011, target: "https://127.0.0.1:9443/scim/v2",
            thresholds: thresholds, steps: steps(failing: .connect))
        let skip = ConnectorHealth(
            name: "daytona", kind: "daytona", state: .skip, reason: "the upstream answered HTTP 503 Service Unavailable <b>",
            decidedBy: .probe, checkedAt: now.addingTimeInterval(-2), seconds: 0.02, target: "http://127.0.0.1:3986",
            thresholds: thresholds, steps: steps(failing: nil),
            probe: ProbeResult(
                kind: .http, request: "GET http://127.0.0.1:3986/api/health", status: 503, latencySeconds: 0.0155,
                bodyExcerpt: "down for maintenance"))
        let grpc = ConnectorHealth(
            name: "temporal", kind: "temporal", state: .degraded, reason: "the probe took 312 ms, over health.degraded_after",
            decidedBy: .probe, checkedAt: now.addingTimeInterval(-2), seconds: 0.32, target: "127.0.0.1:7233",
            thresholds: thresholds, steps: steps(failing: nil),
            probe: ProbeResult(
                kind: .grpc, request: "grpc 127.0.0.1:7233 /grpc.health.v1.Health/Check", status: 200,
                latencySeconds: 0.312, grpcStatus: 0, servingStatus: "SERVING"))
        let unconfigured = ConnectorHealth(
            name: "ui", kind: "http", state: .unconfigured, reason: "no executor for machine traffic: ui_only",
            decidedBy: .config, checkedAt: now.addingTimeInterval(-2), seconds: 0, target: nil, thresholds: thresholds,
            steps: HealthStep.allCases.map { HealthStepResult($0, .skipped, detail: "not checked") })
        return HealthReport(
            connectors: [ok, fail, skip, grpc, unconfigured], generatedAt: now.addingTimeInterval(-1),
            seconds: 0.321)
    }
}
