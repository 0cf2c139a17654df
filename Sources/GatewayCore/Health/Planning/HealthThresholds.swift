/// The limits one connector's check runs under: the gateway's `health.*` settings with the
/// connector's own `health.*` overrides applied.
package struct HealthThresholds: Sendable, Hashable {
    /// The whole check (DNS to probe answer) must finish within this.
    package var timeout: Double
    /// A probe slower than this is `degraded`.
    package var degradedAfter: Double
    /// A certificate expiring within this many days is `degraded`.
    package var certificateWarningDays: Int
    /// How often the server checks this connector.
    package var interval: Double

    package init(timeout: Double = 5, degradedAfter: Double = 2, certificateWarningDays: Int = 14, interval: Double = 30) {
        self.timeout = timeout
        self.degradedAfter = degradedAfter
        self.certificateWarningDays = certificateWarningDays
        self.interval = interval
    }

    /// The effective thresholds of `connector`; `timeout` (the CLI's `--timeout`) wins over both.
    package init(gateway: GatewaySettings, connector: ConnectorConfig, timeout: Double? = nil) {
        self.init(
            timeout: timeout ?? connector.duration("health.timeout") ?? gateway.healthTimeout,
            degradedAfter: connector.duration("health.degraded_after") ?? gateway.healthDegradedAfter,
            certificateWarningDays: gateway.certificateExpiryWarningDays,
            interval: connector.duration("health.interval") ?? gateway.healthInterval)
    }
}
