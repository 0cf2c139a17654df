import Foundation
import NIOCore
import NIOPosix

/// Runs many checks at once (at most `concurrency`), each under its own deadline, so a round
/// takes about as long as its slowest check and never hangs.
package struct HealthEngine: Sendable {
    package let runner: HealthCheckRunner

    /// Checks run on `group` (by default NIO's shared one, for one-shot use by the command).
    package init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.runner = HealthCheckRunner(group: group)
    }

    /// Checks every plan; results come back in the plans' order. `onResult` sees each as it ends.
    package func run(
        _ plans: [HealthPlan], concurrency: Int, onResult: @escaping @Sendable (ConnectorHealth) -> Void = { _ in }
    ) async -> HealthReport {
        let started = ContinuousClock.now
        var results = [ConnectorHealth?](repeating: nil, count: plans.count)
        await withTaskGroup(of: (Int, ConnectorHealth).self) { group in
            var next = 0
            func startNext() {
                guard next < plans.count else { return }
                let index = next
                let plan = plans[index]
                next += 1
                group.addTask { (index, await self.checkWithDeadline(plan)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            for await (index, result) in group {
                results[index] = result
                onResult(result)
                startNext()
            }
        }
        return HealthReport(connectors: results.compactMap { $0 }, generatedAt: Date(), seconds: started.secondsSince)
    }

    /// The check, or a `fail` when it outlives its timeout by more than a grace period (every
    /// step has its own deadline; this is the backstop).
    package func checkWithDeadline(_ plan: HealthPlan) async -> ConnectorHealth {
        let checkedAt = Date()
        let grace = plan.thresholds.timeout + 0.5
        return await withTaskGroup(of: ConnectorHealth?.self) { group in
            group.addTask { await runner.check(plan) }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(grace * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            let reason = "the check did not finish within health.timeout (\(HealthFormat.milliseconds(plan.thresholds.timeout)))"
            return ConnectorHealth(
                name: plan.name, kind: plan.kind, state: .fail, reason: reason, decidedBy: .probe, checkedAt: checkedAt,
                seconds: grace, target: plan.target, thresholds: plan.thresholds,
                steps: HealthStep.allCases.map { HealthStepResult($0, .skipped, detail: "not finished") },
                runtimeAsset: plan.runtimeAsset)
        }
    }
}
