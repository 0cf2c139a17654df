import Foundation

/// The report's stable JSON form (schema in docs/health.md and `docs/health-report.schema.json`):
/// every key is always present, `null` when it does not apply. `gateway health --json` and the
/// server's `/health/connectors` print the same document.
extension HealthReport {
    /// The whole report; ages are computed against `now`. `tunnels` (open WebSocket tunnels by
    /// connector) is given by a running gateway; without it `tunnels_open` is null.
    package func jsonText(now: Date = Date(), pretty: Bool = true, tunnels: [String: Int]? = nil) -> String {
        HealthJSON.text(ReportDocument(report: self, now: now, tunnels: tunnels), pretty: pretty)
    }

    /// One connector's entry (for `/health/connectors/<name>`), with the report's schema version.
    package static func jsonText(connector: ConnectorHealth, now: Date = Date(), pretty: Bool = true, tunnels: [String: Int]? = nil) -> String {
        HealthJSON.text(ConnectorDocument(health: connector, now: now, standalone: true, tunnels: tunnels), pretty: pretty)
    }
}

enum HealthJSON {
    static func text(_ value: some Encodable, pretty: Bool) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// A coding key spelled exactly as written.
struct JSONKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { self.stringValue = value }
}

struct ReportDocument: Encodable {
    var report: HealthReport
    var now: Date
    var tunnels: [String: Int]?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(HealthReport.schemaVersion, forKey: "schema_version")
        try c.encode(HealthFormat.timestamp(report.generatedAt), forKey: "generated_at")
        try c.encode(HealthFormat.jsonSeconds(now.timeIntervalSince(report.generatedAt)), forKey: "age_seconds")
        try c.encode(HealthFormat.jsonMilliseconds(report.seconds), forKey: "duration_ms")
        try c.encode(report.overall.rawValue, forKey: "state")
        var summary = Dictionary(uniqueKeysWithValues: report.counts.map { ($0.key.rawValue, $0.value) })
        summary["total"] = report.connectors.count
        try c.encode(summary, forKey: "summary")
        try c.encode(report.connectors.map { ConnectorDocument(health: $0, now: now, standalone: false, tunnels: tunnels) }, forKey: "connectors")
    }
}

struct ConnectorDocument: Encodable {
    var health: ConnectorHealth
    var now: Date
    /// Served alone (`/health/connectors/<name>`): carries the schema version too.
    var standalone: Bool
    /// Open WebSocket tunnels by connector, when a running gateway serves the report.
    var tunnels: [String: Int]?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        if standalone { try c.encode(HealthReport.schemaVersion, forKey: "schema_version") }
        try c.encode(health.name, forKey: "name")
        try c.encode(health.kind, forKey: "kind")
        try c.encode(health.state.rawValue, forKey: "state")
        try c.encode(health.reason, forKey: "reason")
        try c.encode(health.decidedBy.rawValue, forKey: "decided_by")
        try c.encode(HealthFormat.timestamp(health.checkedAt), forKey: "checked_at")
        try c.encode(HealthFormat.jsonSeconds(now.timeIntervalSince(health.checkedAt)), forKey: "age_seconds")
        try c.encode(HealthFormat.jsonMilliseconds(health.seconds), forKey: "duration_ms")
        try c.encode(health.target, forKey: "target")
        try c.encode(health.runtimeAsset.map { ["id": $0.id, "role": $0.role] }, forKey: "runtime_asset")
        var thresholds = c.nestedContainer(keyedBy: JSONKey.self, forKey: "thresholds")
        try thresholds.encode(HealthFormat.jsonMilliseconds(health.thresholds.timeout), forKey: "timeout_ms")
        try thresholds.encode(HealthFormat.jsonMilliseconds(health.thresholds.degradedAfter), forKey: "degraded_after_ms")
        try thresholds.encode(health.thresholds.certificateWarningDays, forKey: "cert_expiry_warning_days")
        try c.encode(health.steps.map(StepDocument.init), forKey: "steps")
        try c.encode(health.tls.map { TLSDocument(tls: $0, now: now) }, forKey: "tls")
        try c.encode(health.probe.map(ProbeDocument.init), forKey: "probe")
        try c.encode(tunnels.map { $0[health.name, default: 0] }, forKey: "tunnels_open")
    }
}

struct StepDocument: Encodable {
    var step: HealthStepResult

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(step.step.rawValue, forKey: "step")
        try c.encode(step.status.rawValue, forKey: "status")
        try c.encode(step.seconds.map(HealthFormat.jsonMilliseconds), forKey: "duration_ms")
        try c.encode(step.detail, forKey: "detail")
    }
}

struct TLSDocument: Encodable {
    var tls: TLSSummary
    var now: Date

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(tls.verified, forKey: "verified")
        try c.encode(tls.serverName, forKey: "server_name")
        try c.encode(tls.version, forKey: "version")
        try c.encode(tls.alpn, forKey: "alpn")
        try c.encode(tls.subject, forKey: "subject")
        try c.encode(tls.names, forKey: "names")
        try c.encode(tls.notValidAfter.map(HealthFormat.timestamp), forKey: "not_valid_after")
        try c.encode(tls.daysUntilExpiry(now: now), forKey: "days_until_expiry")
    }
}

struct ProbeDocument: Encodable {
    var probe: ProbeResult

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(probe.kind.rawValue, forKey: "kind")
        try c.encode(probe.request, forKey: "request")
        try c.encode(probe.status, forKey: "status")
        try c.encode(probe.latencySeconds.map(HealthFormat.jsonMilliseconds), forKey: "latency_ms")
        try c.encode(probe.bodyExcerpt, forKey: "body_excerpt")
        try c.encode(probe.grpcStatus, forKey: "grpc_status")
        try c.encode(probe.grpcMessage, forKey: "grpc_message")
        try c.encode(probe.servingStatus, forKey: "serving_status")
    }
}
