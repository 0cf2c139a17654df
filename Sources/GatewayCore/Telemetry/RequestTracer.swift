import Logging
import NIOHTTP1
import OTel
import ServiceLifecycle
import Tracing

/// The gateway's tracer: swift-otel's, exporting over OTLP/HTTP (protobuf) from its own task,
/// never from an event loop, with a bounded queue; W3C trace context in and out. One per
/// process: a reload keeps it (telemetry settings take effect at the next start).
package final class RequestTracer: Sendable {
    let tracer: any Tracer
    let drops: SpanDrops
    package let configuration: TelemetryConfiguration
    /// Decides before any span is made; the library then samples every span it is given.
    let sampler: TraceSampler

    /// The tracer and the service that exports its spans (run it with the gateway's services).
    package static func make(_ configuration: TelemetryConfiguration, logger: Logger) throws -> (RequestTracer, any Service) {
        let drops = SpanDrops(logger: logger)
        var otel = OTel.Configuration.default
        otel.serviceName = configuration.serviceName
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.propagators = [.traceContext]
        otel.diagnosticLogger = .custom(Logger(label: "otel") { _ in SpanExportDiagnostics(drops: drops) })
        otel.diagnosticLogLevel = .warning
        otel.traces.enabled = true
        otel.traces.exporter = .otlp
        otel.traces.sampler = .alwaysOn  // TraceSampler decided already
        otel.traces.otlpExporter.endpoint = configuration.tracesURL
        otel.traces.otlpExporter.protocol = .httpProtobuf
        otel.traces.otlpExporter.timeout = .milliseconds(Int64(configuration.exportTimeout * 1000))
        otel.traces.batchSpanProcessor.maxQueueSize = configuration.maxQueueSize
        otel.traces.batchSpanProcessor.scheduleDelay = .milliseconds(Int64(configuration.scheduleDelay * 1000))
        otel.traces.batchSpanProcessor.maxExportBatchSize = min(512, configuration.maxQueueSize)
        otel.traces.batchSpanProcessor.exportTimeout = .milliseconds(Int64(configuration.exportTimeout * 1000))
        let (tracer, service) = try OTel.makeTracingBackend(configuration: otel)
        return (RequestTracer(tracer: tracer, drops: drops, configuration: configuration), service)
    }

    init(tracer: any Tracer, drops: SpanDrops, configuration: TelemetryConfiguration) {
        self.tracer = tracer
        self.drops = drops
        self.configuration = configuration
        self.sampler = TraceSampler(sampler: configuration.sampler, ratio: configuration.ratio)
    }

    /// `gateway_trace_spans_dropped_total`.
    package func metricsText() -> String { drops.metricsText() }
}
