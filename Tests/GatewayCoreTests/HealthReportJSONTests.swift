import Foundation
import Testing

@testable import GatewayCore

/// The JSON document's keys, types and nulls: the schema docs/health.md documents.
@Suite("health report JSON")
struct HealthReportJSONTests {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theReportHasEveryTopLevelKey() throws {
        let report = try Self.object(HealthReportFixtures.report.jsonText(now: HealthReportFixtures.now))
        #expect(Set(report.keys) == ["schema_version", "generated_at", "age_seconds", "duration_ms", "state", "summary", "connectors"])
        #expect(report["schema_version"] as? Int == 1)
        #expect(report["generated_at"] as? String == "2027-01-15T07:59:59.000Z")
        #expect(report["age_seconds"] as? Double == 1)
        #expect(report["duration_ms"] as? Double == 321)
        #expect(report["state"] as? String == "fail")
        let summary = try #require(report["summary"] as? [String: Int])
        #expect(summary == ["ok": 1, "degraded": 1, "skip": 1, "fail": 1, "unconfigured": 1, "total": 5])
    }

    @Test func aRunningGatewayCountsOpenTunnelsPerConnector() throws {
        let text = HealthReportFixtures.report.jsonText(now: HealthReportFixtures.now, tunnels: ["daytona": 3])
        let connectors = try #require(try Self.object(text)["connectors"] as? [[String: Any]])
        #expect(connectors.map { $0["tunnels_open"] as? Int } == [0, 0, 3, 0, 0])
        let one = try Self.object(HealthReport.jsonText(connector: HealthReportFixtures.report.connectors[2], tunnels: ["daytona": 3]))
        #expect(one["tunnels_open"] as? Int == 3)
        let page = StatusPage.render(HealthReportFixtures.report, refreshSeconds: 5, now: HealthReportFixtures.now, tunnels: ["daytona": 3])
        #expect(page.contains("<dt>Open tunnels</dt><dd class=\"tunnels\">3</dd>"))
        #expect(!StatusPage.render(HealthReportFixtures.report, refreshSeconds: 5).contains("Open tunnels"))
    }

    @Test func everyConnectorCarriesEveryKeyWithNullsWhereNothingApplies() throws {
        let report = try Self.object(HealthReportFixtures.report.jsonText(now: HealthReportFixtures.now))
        let connectors = try #require(report["connectors"] as? [[String: Any]])
        #expect(connectors.map { $0["name"] as? String } == ["langboard", "nexus-scim", "daytona", "temporal", "ui"])
        let keys: Set<String> = [
            "name", "kind", "state", "reason", "decided_by", "checked_at", "age_seconds", "duration_ms",
            "target", "runtime_asset", "thresholds", "steps", "tls", "probe", "tunnels_open",
        ]
        for connector in connectors { #expect(Set(connector.keys) == keys) }
        #expect(connectors.allSatisfy { $0["tunnels_open"] is NSNull }, "no running gateway counts tunnels")
        let ui = connectors[4]
        #expect(ui["target"] is NSNull)
        #expect(ui["tls"] is NSNull)
        #expect(ui["probe"] is NSNull)
        #expect(ui["runtime_asset"] is NSNull)
        #expect(connectors[0]["runtime_asset"] as? [String: String] == ["id": "langboard-api", "role": "executor"])
        #expect(ui["state"] as? String == "unconfigured")
        #expect(ui["decided_by"] as? String == "config")
        let steps = try #require(connectors[1]["steps"] as? [[String: Any]])
        #expect(steps.map { $0["step"] as? String } == ["config", "secret", "dns", "connect", "tls", "probe"])
        #expect(steps[3]["status"] as? String == "fail")
        #expect(steps[3]["duration_ms"] as? Double == 2)
        let skipped = try #require((ui["steps"] as? [[String: Any]])?.first)
        #expect(skipped["duration_ms"] is NSNull)
        let thresholds = try #require(connectors[0]["thresholds"] as? [String: Any])
        #expect(thresholds["timeout_ms"] as? Double == 3000)
        #expect(thresholds["degraded_after_ms"] as? Double == 100)
        #expect(thresholds["cert_expiry_warning_days"] as? Int == 14)
    }

    @Test func tlsAndProbeDetails() throws {
        let report = try Self.object(HealthReportFixtures.report.jsonText(now: HealthReportFixtures.now))
        let connectors = try #require(report["connectors"] as? [[String: Any]])
        let tls = try #require(connectors[0]["tls"] as? [String: Any])
        #expect(Set(tls.keys) == ["verified", "server_name", "version", "alpn", "subject", "names", "not_valid_after", "days_until_expiry"])
        #expect(tls["verified"] as? Bool == true)
        #expect(tls["names"] as? [String] == ["langboard.internal", "IP:127.0.0.1"])
        #expect(tls["days_until_expiry"] as? Int == 3)
        let probe = try #require(connectors[0]["probe"] as? [String: Any])
        #expect(Set(probe.keys) == ["kind", "request", "status", "latency_ms", "body_excerpt", "grpc_status", "grpc_message", "serving_status"])
        #expect(probe["status"] as? Int == 204)
        #expect(probe["latency_ms"] as? Double == 3.1)
        #expect(probe["body_excerpt"] is NSNull)
        let skip = try #require(connectors[2]["probe"] as? [String: Any])
        #expect(skip["body_excerpt"] as? String == "down for maintenance")
        let grpc = try #require(connectors[3]["probe"] as? [String: Any])
        #expect(grpc["kind"] as? String == "grpc")
        #expect(grpc["serving_status"] as? String == "SERVING")
        #expect(grpc["grpc_status"] as? Int == 0)
    }

    @Test func aSingleConnectorDocumentCarriesTheSchemaVersion() throws {
        let health = HealthReportFixtures.report.connectors[1]
        let document = try Self.object(HealthReport.jsonText(connector: health, now: HealthReportFixtures.now))
        #expect(document["schema_version"] as? Int == 1)
        #expect(document["name"] as? String == "nexus-scim")
        #expect(document["age_seconds"] as? Double == 2)
    }

    @Test func timestampsAreRFC3339InUTCWithMilliseconds() {
        #expect(HealthFormat.timestamp(Date(timeIntervalSince1970: 1_800_000_000.25)) == "2027-01-15T08:00:00.250Z")
    }
}
