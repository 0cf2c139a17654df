extension CommonSettings {
    /// The `gateway.telemetry:` section: OpenTelemetry traces, off until an OTLP endpoint is
    /// set. Each key also reads the variable the OpenTelemetry specification names for it.
    public static let telemetry: [SettingSpec] = [
        SettingSpec(
            "telemetry.otlp_endpoint", .url, env: .variable("OTEL_EXPORTER_OTLP_ENDPOINT"),
            summary: "OTLP/HTTP collector base URL, e.g. http://otel-collector:4318 (spans go to /v1/traces); tracing is off without it"),
        SettingSpec(
            "telemetry.service_name", .string, env: .variable("OTEL_SERVICE_NAME"),
            default: .string(TelemetryConfiguration.defaultServiceName), summary: "service.name of the spans"),
        SettingSpec(
            "telemetry.sampler", .choice(TelemetryConfiguration.Sampler.allNames), env: .variable("OTEL_TRACES_SAMPLER"),
            default: .string(TelemetryConfiguration.Sampler.parentBasedTraceIDRatio.rawValue),
            summary: "which requests are traced; parent-based samplers follow the caller's traceparent"),
        SettingSpec(
            "telemetry.sampler_arg", .fraction, env: .variable("OTEL_TRACES_SAMPLER_ARG"), default: .number(1),
            summary: "the ratio of the traceidratio samplers (0 to 1)"),
        SettingSpec(
            "telemetry.max_queue_size", .integer(1...1_000_000), default: .integer(2048),
            summary: "finished spans waiting for export; beyond it spans are dropped (gateway_trace_spans_dropped_total)"),
        SettingSpec(
            "telemetry.schedule_delay", .duration(minimum: 0.01), default: .duration(seconds: 5),
            summary: "how long finished spans wait to be sent together (OTEL_BSP_SCHEDULE_DELAY in the process environment also sets it)"),
        SettingSpec(
            "telemetry.export_timeout", .duration(minimum: 0.1), default: .duration(seconds: 10),
            summary: "how long one export to the collector may take before its spans are dropped"),
    ]
}
