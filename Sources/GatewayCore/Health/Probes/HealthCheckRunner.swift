import Foundation
import NIOCore

/// Runs one connector's check: DNS, TCP connect, TLS handshake and the kind's probe, each timed,
/// all within the connector's `health.timeout`. Uses NIO directly, so each step is its own.
package struct HealthCheckRunner: Sendable {
    package let group: any EventLoopGroup

    package init(group: any EventLoopGroup) {
        self.group = group
    }

    package func check(_ plan: HealthPlan) async -> ConnectorHealth {
        let checkedAt = Date()
        let started = ContinuousClock.now
        var progress = CheckProgress(plan: plan)
        let verdict: HealthVerdict
        do {
            verdict = try await run(plan, &progress)
        } catch {
            verdict = error.verdict
        }
        progress.mark(verdict)
        let health = ConnectorHealth(
            name: plan.name, kind: plan.kind, state: verdict.state, reason: verdict.reason, decidedBy: verdict.step,
            checkedAt: checkedAt, seconds: started.secondsSince, target: plan.target, thresholds: plan.thresholds,
            steps: progress.ordered, tls: progress.tls, probe: progress.probe, runtimeAsset: plan.runtimeAsset)
        return plan.scrubber.isEmpty ? health : health.scrubbed(by: plan.scrubber)
    }

    private func run(_ plan: HealthPlan, _ progress: inout CheckProgress) async throws(StepFailure) -> HealthVerdict {
        let deadline = NIODeadline.now() + TimeAmount(seconds: plan.thresholds.timeout)
        switch plan.action {
        case let .unconfigured(reason):
            for step in HealthStep.allCases { progress.record(step, .skipped, "not checked: \(reason)") }
            return HealthVerdict(.unconfigured, at: .config, reason)
        case let .fail(step, reason):
            if step != .secret { progress.record(step, .fail, reason) }
            return .fail(at: step, reason)
        case let .http(target, path, healthy):
            let endpoint = Endpoint(
                host: target.host, port: target.port, connectTimeout: Double(target.connectTimeout.nanoseconds) / 1e9,
                tlsContext: target.tlsContext, serverHostname: target.serverHostname, verify: plan.verifyTLS)
            let channel = try await open(endpoint, deadline: deadline, progress: &progress)
            defer { channel.close(promise: nil) }
            return try await probeHTTP(
                channel, target: target, path: path, healthy: healthy, plan: plan,
                deadline: deadline, progress: &progress)
        case let .grpc(target):
            let endpoint = Endpoint(
                host: target.host, port: target.port, connectTimeout: target.connectTimeout,
                tlsContext: target.tlsContext, serverHostname: target.serverHostname, verify: plan.verifyTLS)
            let channel = try await open(endpoint, deadline: deadline, progress: &progress)
            defer { channel.close(promise: nil) }
            return try await probeGRPC(channel, target: target, plan: plan, deadline: deadline, progress: &progress)
        }
    }
}
