/// What `gateway.telemetry` asks for: where spans go, which requests are traced, how many
/// finished spans may wait for export. Tracing is off (and costs nothing per request) when no
/// OTLP endpoint is set.
public struct TelemetryConfiguration: Sendable, Equatable {
    /// The samplers of the OpenTelemetry specification (`OTEL_TRACES_SAMPLER`).
    public enum Sampler: String, Sendable, CaseIterable {
        case alwaysOn = "always_on"
        case alwaysOff = "always_off"
        case traceIDRatio = "traceidratio"
        case parentBasedAlwaysOn = "parentbased_always_on"
        case parentBasedAlwaysOff = "parentbased_always_off"
        case parentBasedTraceIDRatio = "parentbased_traceidratio"

        public static var allNames: [String] { allCases.map(\.rawValue) }
    }

    public static var defaultServiceName: String { TelemetryKey.serviceName.defaultValue }

    /// The collector's base URL; spans are posted to `<endpoint>/v1/traces`.
    public var endpoint: EndpointURL
    public var serviceName: String
    public var sampler: Sampler
    public var ratio: Double
    public var maxQueueSize: Int
    public var scheduleDelay: Double
    public var exportTimeout: Double

    /// The spans' URL: the base with `/v1/traces`, as `OTEL_EXPORTER_OTLP_ENDPOINT` means it.
    public var tracesURL: String {
        let base = endpoint.description
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
    }
}
