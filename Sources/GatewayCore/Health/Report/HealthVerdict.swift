/// A check's conclusion: the state, the step that decided it and a one-line reason.
struct HealthVerdict: Sendable, Hashable {
    var state: HealthState
    var step: HealthStep
    var reason: String

    init(_ state: HealthState, at step: HealthStep, _ reason: String) {
        self.state = state
        self.step = step
        self.reason = reason
    }

    static func fail(at step: HealthStep, _ reason: String) -> HealthVerdict {
        HealthVerdict(.fail, at: step, reason)
    }
}
