/// The `gateway:` keys that always have a value, as constants.
public enum GatewayKey {
    public static let listen: Setting<HostPort> = .address(
        "listen", allowAnyPort: true, env: .variable("FRACTALOPS_GATEWAY_LISTEN"), default: HostPort(host: "127.0.0.1", port: 8080),
        summary: "HTTP listener for executor, SCIM, health, status and metrics routes")
    public static let tlsReloadInterval: Setting<Double> = .duration(
        "tls.reload_interval", minimum: 0.2, default: 10,
        summary: "how often the certificate and key are re-read; a changed pair is swapped in, a broken one refused")
    public static let pomeriumRefreshInterval: Setting<Double> = .duration(
        "identity.pomerium.refresh_interval", minimum: 1, default: 300, summary: "how often the JWKS is fetched (also soon after an unknown kid)")
    public static let pomeriumMaxStale: Setting<Double> = .duration(
        "identity.pomerium.max_stale", minimum: 1, default: 3600,
        summary: "how long after the last good fetch cached keys are still trusted when the JWKS cannot be reached")
    public static let pomeriumLeeway: Setting<Double> = .duration(
        "identity.pomerium.leeway", minimum: 0, default: 30, summary: "clock skew allowed on exp, nbf and iat")
    public static let accessLog: Setting<Bool> = .bool(
        "access_log", env: .variable("FRACTALOPS_GATEWAY_ACCESS_LOG"), default: true, summary: "one access/audit line per request on standard error")
    public static let drainTimeout: Setting<Double> = .duration(
        "drain_timeout", minimum: 0, env: .variable("FRACTALOPS_GATEWAY_DRAIN_TIMEOUT"), default: 30,
        summary: "how long SIGTERM waits for requests in flight")
    public static let healthInterval: Setting<Double> = .duration(
        "health.interval", minimum: 1, default: 30, summary: "how often the server checks every connector")
    public static let healthTimeout: Setting<Double> = .duration("health.timeout", minimum: 0.05, default: 5, summary: "per-probe timeout")
    public static let healthDegradedAfter: Setting<Double> = .duration(
        "health.degraded_after", minimum: 0.001, default: 2, summary: "a probe slower than this reports degraded")
    public static let certificateExpiryWarningDays: Setting<Int> = .integer(
        "health.cert_expiry_warning_days", 0...3650, default: 14, summary: "a certificate expiring within this many days reports degraded")
    public static let healthConcurrency: Setting<Int> = .integer("health.concurrency", 1...256, default: 8, summary: "probes running at once")
}
