import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// The server's health checks as a `Service`: checks every connector at once on start, then each
/// again after its `health.interval` (jittered by ±10% so replicas do not probe in step), at most
/// `gateway.health.concurrency` at a time, through the routes of the current proxy context
/// (after a reload: new and changed connectors are checked at once, removed ones leave the
/// report).
/// Stops at graceful shutdown, cancelling checks in flight.
struct HealthScheduler: Service {
    let holder: ProxyContextHolder
    let store: HealthStore
    let engine: HealthEngine
    let logger: Logger

    init(holder: ProxyContextHolder, store: HealthStore, group: any EventLoopGroup, logger: Logger) {
        self.holder = holder
        self.store = store
        self.engine = HealthEngine(group: group)
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.loop() }
    }

    func loop() async {
        // Checks start once the listeners are up: a start that fails (an address in use) probes
        // nothing and logs no health noise.
        await holder.context.readiness.untilReady()
        if Task.isCancelled { return }
        // The loop sleeps until a check is due or a new context is installed, whichever is first.
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let replacements = holder.replacements()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in replacements { wake.yield() }
            }
            await schedule(wakeups: wakeups, wake: wake)
            group.cancelAll()
        }
    }

    private func schedule(wakeups: AsyncStream<Void>, wake: AsyncStream<Void>.Continuation) async {
        var due: [String: ContinuousClock.Instant] = [:]
        var plans: [HealthPlan] = []
        var fingerprints: [String: String] = [:]
        var generation = -1
        var iterator = wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            if holder.generation != generation {
                // A reload or secret rotation: plan again; connectors new to the plan or whose
                // check changed are due now, removed ones leave the report.
                generation = holder.generation
                let context = holder.context
                plans = HealthPlanner.plans(
                    configuration: context.configuration, routes: context.routes, secrets: context.secrets)
                store.track(context.configuration.connectorNames)
                let current = Dictionary(plans.map { ($0.name, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
                // Removed connectors, and connectors whose check changed, are no longer scheduled
                // (the changed ones are due now).
                due = due.filter { current[$0.key] != nil && current[$0.key] == fingerprints[$0.key] }
                fingerprints = current
            }
            let now = ContinuousClock.now
            let duePlans = plans.filter { (due[$0.name] ?? now) <= now }
            if !duePlans.isEmpty {
                let concurrency = holder.context.configuration.gateway.healthConcurrency
                let report = await engine.run(duePlans, concurrency: concurrency) { result in self.record(result) }
                if Task.isCancelled { return }
                store.batchFinished(at: Date(), seconds: report.seconds)
                for plan in duePlans {
                    due[plan.name] = ContinuousClock.now + .milliseconds(Int64(plan.thresholds.interval * 1000 * .random(in: 0.9...1.1)))
                }
            }
            let timer = due.values.min().map { next in
                Task {
                    try await Task.sleep(until: next, clock: .continuous)
                    wake.yield()
                }
            }
            _ = await iterator.next()
            timer?.cancel()
        }
    }

    private func record(_ result: ConnectorHealth) {
        // Checks cut short by shutdown are not results.
        guard !Task.isCancelled else { return }
        let previous = store.latest(result.name)?.state
        store.record(result)
        var metadata: Logger.Metadata = [
            "gateway.connector": "\(result.name)", "gateway.health.state": "\(result.state.rawValue)",
            "gateway.health.step": "\(result.decidedBy.rawValue)",
        ]
        guard previous != result.state else {
            logger.debug("health check", metadata: metadata)
            return
        }
        metadata["gateway.health.reason"] = "\(result.reason)"
        if let previous { metadata["gateway.health.previous"] = "\(previous.rawValue)" }
        switch result.state {
        case .fail, .skip, .degraded:
            logger.warning("connector health changed", metadata: metadata)
        case .ok, .unconfigured:
            logger.info("connector health changed", metadata: metadata)
        }
    }
}
