/// The `gateway.telemetry:` keys that always have a value.
enum TelemetryKey {
    static let serviceName: Setting<String> = .string(
        "telemetry.service_name", env: .variable("OTEL_SERVICE_NAME"), default: "fractalops-gateway",
        summary: "service.name of the spans")
    static let sampler: Setting<String> = .choice(
        "telemetry.sampler", TelemetryConfiguration.Sampler.allNames, env: .variable("OTEL_TRACES_SAMPLER"),
        default: TelemetryConfiguration.Sampler.parentBasedTraceIDRatio.rawValue,
        summary: "which requests are traced; parent-based samplers follow the caller's traceparent")
    static let samplerArg: Setting<Double> = .fraction(
        "telemetry.sampler_arg", env: .variable("OTEL_TRACES_SAMPLER_ARG"), default: 1,
        summary: "the ratio of the traceidratio samplers (0 to 1)")
    static let maxQueueSize: Setting<Int> = .integer(
        "telemetry.max_queue_size", 1...1_000_000, default: 2048,
        summary: "finished spans waiting for export; beyond it spans are dropped (gateway_trace_spans_dropped_total)")
    static let scheduleDelay: Setting<Double> = .duration(
        "telemetry.schedule_delay", minimum: 0.01, default: 5,
        summary: "how long finished spans wait to be sent together (OTEL_BSP_SCHEDULE_DELAY in the process environment also sets it)")
    static let exportTimeout: Setting<Double> = .duration(
        "telemetry.export_timeout", minimum: 0.1, default: 10,
        summary: "how long one export to the collector may take before its spans are dropped")
}
