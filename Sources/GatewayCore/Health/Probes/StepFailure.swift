/// A step that decided the check before the probe answered.
struct StepFailure: Error {
    var verdict: HealthVerdict
}
