/// What `gateway.telemetry` asks for: where spans go, which requests are traced, how many
/// finished spans may wait for export. Tracing is off (and costs nothing per request) when no
/// OTLP endpoint is set.
package struct TelemetryConfiguration: Sendable, Equatable {
    /// The samplers of the OpenTelemetry specification (`OTEL_TRACES_SAMPLER`).
    package enum Sampler: String, Sendable, CaseIterable {
        case alwaysOn = "always_on"
        case alwaysOff = "always_off"
        case traceIDRatio = "traceidratio"
        case parentBasedAlwaysOn = "parentbased_always_on"
        case parentBasedAlwaysOff = "parentbased_always_off"
        case parentBasedTraceIDRatio = "parentbased_traceidratio"

        package static var allNames: [String] { allCases.map(\.rawValue) }
    }

    /// The collector's base URL; spans are posted to `<endpoint>/v1/traces`.
    package var endpoint: EndpointURL
    package var serviceName: String
    package var sampler: Sampler
    package var ratio: Double
    package var maxQueueSize: Int
    package var scheduleDelay: Double
    package var exportTimeout: Double

    /// The spans' URL: the base with `/v1/traces`, as `OTEL_EXPORTER_OTLP_ENDPOINT` means it.
    package var tracesURL: String {
        let base = endpoint.description
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
    }
}
