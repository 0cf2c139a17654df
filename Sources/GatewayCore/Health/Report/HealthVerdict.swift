/// A check's conclusion: the state, the step that decided it and a one-line reason.
public struct HealthVerdict: Sendable, Hashable {
    public var state: HealthState
    public var step: HealthStep
    public var reason: String

    public init(_ state: HealthState, at step: HealthStep, _ reason: String) {
        self.state = state
        self.step = step
        self.reason = reason
    }

    public static func fail(at step: HealthStep, _ reason: String) -> HealthVerdict {
        HealthVerdict(.fail, at: step, reason)
    }
}
