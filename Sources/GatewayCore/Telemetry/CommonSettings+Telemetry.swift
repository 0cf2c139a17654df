extension CommonSettings {
    /// The `gateway.telemetry:` section: OpenTelemetry traces, off until an OTLP endpoint is
    /// set. Each key also reads the variable the OpenTelemetry specification names for it.
    static let telemetry: [SettingSpec] = [
        SettingSpec(
            "telemetry.otlp_endpoint", .url, env: .variable("OTEL_EXPORTER_OTLP_ENDPOINT"),
            summary: "OTLP/HTTP collector base URL, e.g. http://otel-collector:4318 (spans go to /v1/traces); tracing is off without it"),
        TelemetryKey.serviceName.spec,
        TelemetryKey.sampler.spec,
        TelemetryKey.samplerArg.spec,
        TelemetryKey.maxQueueSize.spec,
        TelemetryKey.scheduleDelay.spec,
        TelemetryKey.exportTimeout.spec,
    ]
}
