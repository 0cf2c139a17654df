/// The steps of one check as they happen; steps never reached stay `skipped`.
struct CheckProgress {
    var steps: [HealthStep: HealthStepResult] = [:]
    var tls: TLSSummary?
    var probe: ProbeResult?

    init(plan: HealthPlan) {
        steps[.config] = HealthStepResult(.config, .ok, seconds: 0, detail: plan.configDetail)
        steps[.secret] = plan.secret
    }

    mutating func record(
        _ step: HealthStep, _ status: HealthStepResult.Status, since start: ContinuousClock.Instant? = nil,
        _ detail: String
    ) {
        steps[step] = HealthStepResult(step, status, seconds: start?.secondsSince, detail: detail)
    }

    /// Marks the deciding step of a verdict that is not `ok` (`warn` for degraded and skip).
    mutating func mark(_ verdict: HealthVerdict) {
        guard verdict.state != .ok, verdict.state != .unconfigured, var step = steps[verdict.step] else { return }
        step.status = verdict.state == .fail ? .fail : .warn
        steps[verdict.step] = step
    }

    /// Every step in order.
    var ordered: [HealthStepResult] {
        HealthStep.allCases.map { steps[$0] ?? HealthStepResult($0, .skipped, detail: "not reached") }
    }
}
