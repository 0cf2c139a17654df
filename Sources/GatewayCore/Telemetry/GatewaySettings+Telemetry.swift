extension GatewaySettings {
    /// The telemetry settings; nil when tracing is off (no OTLP endpoint).
    package var telemetry: TelemetryConfiguration? {
        guard let endpoint = settings["telemetry.otlp_endpoint"]?.value.urlValue else { return nil }
        return TelemetryConfiguration(
            endpoint: endpoint,
            serviceName: settings[TelemetryKey.serviceName],
            sampler: TelemetryConfiguration.Sampler(rawValue: settings[TelemetryKey.sampler]) ?? .parentBasedTraceIDRatio,
            ratio: settings[TelemetryKey.samplerArg],
            maxQueueSize: settings[TelemetryKey.maxQueueSize],
            scheduleDelay: settings[TelemetryKey.scheduleDelay],
            exportTimeout: settings[TelemetryKey.exportTimeout])
    }
}
