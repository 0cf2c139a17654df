/// What a connector's health check concluded. The raw values are the JSON and metric labels.
package enum HealthState: String, Sendable, Hashable, CaseIterable, Codable {
    /// The probe answered as healthy, in time, over a certificate that is not about to expire.
    case ok
    /// Healthy, but slower than `health.degraded_after`, or its certificate expires within
    /// `health.cert_expiry_warning_days`.
    case degraded
    /// The upstream answered with a server fault (HTTP 5xx, gRPC NOT_SERVING/UNAVAILABLE): a
    /// fault of the shared service, reported and counted, never routed around.
    case skip
    /// Refused, not resolved, timed out, TLS rejected, credential refused, or misconfigured.
    case fail
    /// No executor for machine traffic (`ui_only`, no executor URL, disabled).
    case unconfigured

    /// Worst first: how states order when a threshold (`--fail-on`) is applied.
    package var severity: Int {
        switch self {
        case .fail: return 4
        case .skip: return 3
        case .degraded: return 2
        case .ok: return 1
        case .unconfigured: return 0
        }
    }
}
