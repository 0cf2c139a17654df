/// How one step of a check went, with its time.
package struct HealthStepResult: Sendable, Hashable {
    package enum Status: String, Sendable, Hashable, Codable {
        /// The step ran and passed.
        case ok
        /// The step passed with something worth a look (TLS not verified, certificate expiring).
        case warn
        /// The step decided the check's failure.
        case fail
        /// The step did not run: not applicable (plain HTTP has no TLS) or an earlier step failed.
        case skipped
    }

    package var step: HealthStep
    package var status: Status
    /// Wall time of the step; nil when it did not run.
    package var seconds: Double?
    /// One line for people.
    package var detail: String

    package init(_ step: HealthStep, _ status: Status, seconds: Double? = nil, detail: String) {
        self.step = step
        self.status = status
        self.seconds = seconds
        self.detail = detail
    }
}
