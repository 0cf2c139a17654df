import Foundation
import Testing

@testable import GatewayCore

/// The state rules: each state from the answer that should produce it, and the reasons name
/// what to do.
@Suite("health state classification")
struct HealthClassifierTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let thresholds = HealthThresholds(timeout: 5, degradedAfter: 0.1, certificateWarningDays: 14)

    static func tls(expiringInDays days: Double) -> TLSSummary {
        TLSSummary(
            verified: true, serverName: "langboard.internal", names: ["langboard.internal"],
            notValidAfter: now.addingTimeInterval(days * 86_400))
    }

    static func http(
        _ status: Int, latency: Double = 0.01, tls: TLSSummary? = nil, excerpt: String? = nil,
        credential: String? = "auth.api_key"
    ) -> HealthVerdict {
        HealthClassifier.classify(
            .http(status: status, healthy: [200, 204], excerpt: excerpt), latency: latency, tls: tls,
            thresholds: thresholds, now: now, credential: credential)
    }

    @Test func aHealthyStatusInTimeIsOk() {
        let verdict = Self.http(204, tls: Self.tls(expiringInDays: 90))
        #expect(verdict.state == .ok)
        #expect(verdict.step == .probe)
        #expect(verdict.reason.contains("204"))
    }

    @Test func slowerThanDegradedAfterIsDegradedAtTheProbe() {
        let verdict = Self.http(200, latency: 0.3)
        #expect(verdict.state == .degraded)
        #expect(verdict.step == .probe)
        #expect(verdict.reason.contains("degraded_after"))
        #expect(Self.http(200, latency: 0.099).state == .ok)
    }

    @Test func aCertificateExpiringWithinTheWarningIsDegradedAtTLS() {
        let verdict = Self.http(200, tls: Self.tls(expiringInDays: 3))
        #expect(verdict.state == .degraded)
        #expect(verdict.step == .tls)
        #expect(verdict.reason.contains("expires in 3 days"), "\(verdict.reason)")
        #expect(Self.http(200, tls: Self.tls(expiringInDays: 14.5)).state == .ok)
        let both = Self.http(200, latency: 1, tls: Self.tls(expiringInDays: 1))
        #expect(both.state == .degraded)
        #expect(both.step == .tls)
        #expect(both.reason.contains("degraded_after"))
    }

    @Test func anExpiredCertificateOnAnUnverifiedConnectionIsDegraded() {
        var tls = Self.tls(expiringInDays: -2)
        tls.verified = false
        let verdict = Self.http(200, tls: tls)
        #expect(verdict.state == .degraded)
        #expect(verdict.reason.contains("expired 2 days ago"), "\(verdict.reason)")
    }

    @Test(arguments: [500, 502, 503, 504, 599])
    func aServerFaultIsSkipWithTheStatusAndBody(status: Int) {
        let verdict = Self.http(status, excerpt: "maintenance until 12:00")
        #expect(verdict.state == .skip)
        #expect(verdict.step == .probe)
        #expect(verdict.reason.contains("HTTP \(status)"))
        #expect(verdict.reason.contains("maintenance until 12:00"))
        #expect(verdict.reason.contains("not routed around"))
    }

    @Test(arguments: [401, 403])
    func aRefusedCredentialIsFailNamingTheCredential(status: Int) {
        let verdict = Self.http(status)
        #expect(verdict.state == .fail)
        #expect(verdict.step == .probe)
        #expect(verdict.reason.contains("auth.api_key"))
        #expect(Self.http(status, credential: nil).reason.contains("injects no credential"))
    }

    @Test(arguments: [301, 404, 418])
    func anyOtherStatusIsFailWithTheStatus(status: Int) {
        let verdict = Self.http(status)
        #expect(verdict.state == .fail)
        #expect(verdict.reason.contains("HTTP \(status)"))
        #expect(verdict.reason.contains("expected 200 or 204"))
    }

    static func grpc(
        _ grpcStatus: Int?, _ serving: GRPCServingStatus?, httpStatus: Int = 200, latency: Double = 0.01
    ) -> HealthVerdict {
        HealthClassifier.classify(
            .grpc(httpStatus: httpStatus, grpcStatus: grpcStatus, message: nil, serving: serving, service: "svc"),
            latency: latency, tls: nil, thresholds: thresholds, now: now, credential: nil)
    }

    @Test func grpcHealthStates() {
        #expect(Self.grpc(0, .serving).state == .ok)
        #expect(Self.grpc(0, .serving, latency: 0.5).state == .degraded)
        #expect(Self.grpc(0, .notServing).state == .skip)
        #expect(Self.grpc(0, .unknown).state == .skip)
        #expect(Self.grpc(14, nil).state == .skip)
        #expect(Self.grpc(0, .serviceUnknown).state == .fail)
        #expect(Self.grpc(5, nil).state == .fail)
        #expect(Self.grpc(5, nil).reason.contains("health_service"))
        #expect(Self.grpc(12, nil).reason.contains("UNIMPLEMENTED"))
        #expect(Self.grpc(16, nil).state == .fail)
        #expect(Self.grpc(nil, nil).state == .fail)
        #expect(Self.grpc(0, nil).state == .fail)
        #expect(Self.grpc(nil, nil, httpStatus: 503).state == .skip)
        #expect(Self.grpc(nil, nil, httpStatus: 401).state == .fail)
    }

    static func connector(_ name: String, _ state: HealthState) -> ConnectorHealth {
        ConnectorHealth(
            name: name, kind: "http", state: state, reason: "r", decidedBy: .probe, checkedAt: now,
            seconds: 0.01, target: nil, thresholds: thresholds, steps: [])
    }

    @Test func failOnThresholdsOrderTheStates() {
        let skipOnly = HealthReport(
            connectors: [Self.connector("a", .ok), Self.connector("b", .skip), Self.connector("c", .unconfigured)],
            generatedAt: Self.now, seconds: 0.1)
        #expect(!skipOnly.hasFailure(atLeast: .fail))
        #expect(skipOnly.hasFailure(atLeast: .skip))
        #expect(skipOnly.hasFailure(atLeast: .degraded))
        #expect(skipOnly.overall == .skip)
        let unconfigured = HealthReport(connectors: [Self.connector("u", .unconfigured)], generatedAt: Self.now, seconds: 0)
        #expect(!unconfigured.hasFailure(atLeast: .degraded))
        #expect(unconfigured.overall == .ok)
        let failed = HealthReport(
            connectors: [Self.connector("a", .degraded), Self.connector("b", .fail)],
            generatedAt: Self.now, seconds: 0)
        #expect(failed.hasFailure(atLeast: .fail))
        #expect(failed.overall == .fail)
    }
}
