import Foundation
import Testing

@testable import GatewayCore

@Suite("FleetHealth (gateway health --url)")
struct FleetHealthTests {
    static func served(_ report: HealthReport, tunnels: [String: Int]? = nil) throws -> RemoteHealthReport {
        try RemoteHealthReport(parsing: Array(report.jsonText(now: HealthReportFixtures.now, tunnels: tunnels).utf8))
    }

    /// The fixture report with `langboard` in `state`.
    static func report(langboard state: HealthState) -> HealthReport {
        var report = HealthReportFixtures.report
        report.connectors[0].state = state
        report.connectors[0].reason = "langboard is \(state.rawValue) here"
        return report
    }

    @Test("a served report reads back: states, reasons, runtime asset, age")
    func parse() throws {
        let remote = try Self.served(HealthReportFixtures.report)
        #expect(remote.state == .fail)
        #expect(remote.connectors.map(\.name) == ["langboard", "nexus-scim", "daytona", "temporal", "ui"])
        #expect(remote.connectors.map(\.state) == [.ok, .fail, .skip, .degraded, .unconfigured])
        #expect(remote.connectors[0].runtimeAsset == RuntimeAsset(id: "langboard-api", role: "executor"))
        #expect(remote.ageSeconds == 1)
    }

    @Test(
        "anything but a report is refused, saying what is wrong",
        arguments: [
            ("<html>hi</html>", "not JSON"), ("[1]", "a list"), (#"{"status":"ok"}"#, "schema_version"),
            (#"{"schema_version":1,"state":"great","connectors":[]}"#, "'state'"),
            (#"{"schema_version":1,"state":"ok"}"#, "'connectors'"),
            (#"{"schema_version":1,"state":"ok","connectors":[{"name":"x"}]}"#, "connector 1"),
        ])
    func refused(body: String, mention: String) {
        let error = #expect(throws: RemoteHealthReport.ParseError.self) { try RemoteHealthReport(parsing: Array(body.utf8)) }
        #expect(error?.description.contains(mention) == true)
    }

    @Test("per connector the worst state of any replica, with each replica's; the worst replica's reason")
    func combine() throws {
        let replicas = [
            ReplicaHealth(
                url: "http://gw-0", reportURL: "http://gw-0/health/connectors",
                outcome: .report(try Self.served(Self.report(langboard: .ok), tunnels: ["langboard": 1]))),
            ReplicaHealth(
                url: "http://gw-1", reportURL: "http://gw-1/health/connectors", outcome: .report(try Self.served(Self.report(langboard: .skip)))),
            ReplicaHealth(
                url: "http://gw-2", reportURL: "http://gw-2/health/connectors",
                outcome: .report(try Self.served(Self.report(langboard: .degraded), tunnels: ["langboard": 2]))),
        ]
        let fleet = FleetHealth(replicas: replicas)
        let langboard = try #require(fleet.connectors.first)
        #expect(langboard.worst == .skip)
        #expect(langboard.worstReplica == 1)
        #expect(langboard.reason == "langboard is skip here")
        #expect(langboard.states == [.ok, .skip, .degraded])
        #expect(langboard.tunnelsOpen == 3, "summed over the replicas that count tunnels")
        #expect(fleet.overall == .fail)
        #expect(fleet.hasFailure(atLeast: .fail))
        let only = FleetHealth(replicas: replicas, only: ["langboard", "ui"])
        #expect(only.connectorNames == ["langboard", "ui"])
        #expect(only.hasFailure(atLeast: .skip))
        #expect(!only.hasFailure(atLeast: .fail))
        #expect(only.connectors[1].worst == .unconfigured)

        let table = only.table(color: false)
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("REPLICA  URL"))
        let header = try #require(lines.first { $0.hasPrefix("CONNECTOR  KIND") })
        #expect(header.split(separator: " ").map(String.init) == ["CONNECTOR", "KIND", "WORST", "#1", "#2", "#3", "TUNNELS", "REASON"])
        #expect(
            lines.contains {
                $0.hasPrefix("langboard") && $0.contains("skip") && $0.hasSuffix("#2: langboard is skip here")
                    && $0.split(separator: " ")[6] == "3"
            })
        #expect(lines.contains("3 replicas; 2 connectors, worst of each: 0 ok, 0 degraded, 1 skip, 0 fail, 1 unconfigured"))
    }

    @Test("a replica without a report makes the exit status 1 and is listed with its reason; JSON embeds the reports")
    func unreachable() throws {
        let replicas = [
            ReplicaHealth(
                url: "http://gw-0", reportURL: "http://gw-0/health/connectors", outcome: .report(try Self.served(Self.report(langboard: .ok)))),
            ReplicaHealth(
                url: "http://gw-1", reportURL: "http://gw-1/health/connectors",
                outcome: .unreachable("http://gw-1/health/connectors could not be reached: connection refused")),
        ]
        let fleet = FleetHealth(replicas: replicas, only: ["langboard"])
        #expect(fleet.overall == .ok)
        #expect(fleet.hasFailure(atLeast: .fail))
        #expect(fleet.connectors[0].states == [.ok, nil])
        let table = fleet.table(color: false)
        #expect(
            table.contains(
                "#2       http://gw-1  unreachable  -           -           http://gw-1/health/connectors could not be reached: connection refused"))
        #expect(table.contains("(1 without a report)"))
        let json = try #require(JSONValue.parse(Array(fleet.jsonText().utf8)))
        #expect(json["replicas_without_report"]?.numberValue == 1)
        #expect(
            json["replicas"].flatMap { if case let .array(items) = $0 { return items[1]["state"]?.stringValue } else { return nil } } == "unreachable"
        )
        #expect(
            json["replicas"].flatMap {
                if case let .array(items) = $0 { return items[0]["report"]?["schema_version"]?.numberValue } else { return nil }
            } == 1)
    }

    @Test(
        "the report URL of a gateway URL",
        arguments: [
            ("http://gw:8080", "http://gw:8080/health/connectors"), ("http://gw:8080/", "http://gw:8080/health/connectors"),
            ("https://ops.internal/gw-0", "https://ops.internal/gw-0/health/connectors"),
            ("http://gw:8080/health/connectors", "http://gw:8080/health/connectors"),
        ])
    func reportURL(url: String, expected: String) {
        #expect(ReplicaFetcher.reportURL(for: url) == expected)
    }

    @Test func notAURL() {
        #expect(ReplicaFetcher.reportURL(for: "gw:8080") == nil)
        #expect(ReplicaFetcher.reportURL(for: "ftp://gw") == nil)
    }
}
