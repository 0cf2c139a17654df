import Foundation

/// One connector's check: its state, the one-line reason a person can act on, the step that
/// decided it, and what each step saw.
package struct ConnectorHealth: Sendable, Hashable {
    package var name: String
    package var kind: String
    package var state: HealthState
    package var reason: String
    package var decidedBy: HealthStep
    package var checkedAt: Date
    /// Wall time of the whole check.
    package var seconds: Double
    /// The executor URL or `host:port` address checked; nil when there is none.
    package var target: String?
    package var thresholds: HealthThresholds
    /// Every step, in order (those that did not run are `skipped`).
    package var steps: [HealthStepResult]
    package var tls: TLSSummary?
    package var probe: ProbeResult?
    /// The connector's runtime asset, when configured.
    package var runtimeAsset: RuntimeAsset?

    package init(
        name: String, kind: String, state: HealthState, reason: String, decidedBy: HealthStep, checkedAt: Date,
        seconds: Double, target: String?, thresholds: HealthThresholds, steps: [HealthStepResult],
        tls: TLSSummary? = nil, probe: ProbeResult? = nil, runtimeAsset: RuntimeAsset? = nil
    ) {
        self.runtimeAsset = runtimeAsset
        self.name = name
        self.kind = kind
        self.state = state
        self.reason = reason
        self.decidedBy = decidedBy
        self.checkedAt = checkedAt
        self.seconds = seconds
        self.target = target
        self.thresholds = thresholds
        self.steps = steps
        self.tls = tls
        self.probe = probe
    }

    package func step(_ step: HealthStep) -> HealthStepResult? { steps.first { $0.step == step } }
}

extension ConnectorHealth {
    /// The result with every text an upstream could have shaped scrubbed of secret values.
    func scrubbed(by scrubber: SecretScrubber) -> ConnectorHealth {
        var health = self
        health.reason = scrubber.scrub(reason)
        health.steps = steps.map { step in
            var step = step
            step.detail = scrubber.scrub(step.detail)
            return step
        }
        if var probe {
            probe.bodyExcerpt = scrubber.scrub(probe.bodyExcerpt)
            probe.grpcMessage = scrubber.scrub(probe.grpcMessage)
            health.probe = probe
        }
        return health
    }
}
