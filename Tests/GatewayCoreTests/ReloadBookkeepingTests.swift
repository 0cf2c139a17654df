import Foundation
import Testing

@testable import GatewayCore

/// What a reload changes outside the routes: metric labels for added connectors (the old ones'
/// counters kept, indexes stable) and the health report's connector list.
@Suite("reload bookkeeping")
struct ReloadBookkeepingTests {
    @Test func registeringConnectorsKeepsIndexesAndCountersAndAppendsNewLabels() {
        let metrics = GatewayMetrics(connectors: ["a", "b"])
        let b = metrics.index(of: "b")
        metrics.requestStarted()
        metrics.requestFinished(connector: b, method: "GET", status: 200, upstreamSeconds: 0.002, errorKind: nil)
        #expect(metrics.index(of: "added") == 0, "unregistered names count as (unknown)")

        metrics.register(["b", "added"])
        #expect(metrics.index(of: "b") == b)
        #expect(metrics.connectors == [GatewayMetrics.unknownConnector, "a", "b", "added"])
        let added = metrics.index(of: "added")
        metrics.requestStarted()
        metrics.requestFinished(connector: added, method: "POST", status: 502, upstreamSeconds: nil, errorKind: "refused")
        let text = metrics.render()
        #expect(text.contains(#"gateway_requests_total{connector="b",method="GET",status_class="2xx"} 1"#))
        #expect(text.contains(#"gateway_requests_total{connector="added",method="POST",status_class="5xx"} 1"#))
        #expect(text.contains(#"gateway_errors_total{connector="added",kind="refused"} 1"#))
        #expect(text.contains(#"gateway_upstream_duration_seconds_count{connector="b"} 1"#))
    }

    @Test func theHealthStoreFollowsTheConnectorListOfAReload() throws {
        let report = HealthReportFixtures.report
        let store = HealthStore(connectors: report.connectors.map(\.name))
        for connector in report.connectors { store.record(connector) }
        store.batchFinished(at: HealthReportFixtures.now, seconds: 0.3)
        #expect(try #require(store.report).connectors.count == report.connectors.count)

        store.track(["langboard", "brand-new"])
        #expect(store.connectors == ["langboard", "brand-new"])
        #expect(try #require(store.report).connectors.map(\.name) == ["langboard"], "new connectors appear once checked")
        #expect(store.latest("nexus-scim") == nil)
        #expect(store.checkCounts("nexus-scim").isEmpty)
        #expect(store.renderMetrics().contains("nexus-scim") == false)
    }

    @Test func reloadCountersAreReadBackFromTheMetricsText() {
        let metrics = GatewayMetrics(connectors: ["a"])
        #expect(ReloadCounters(metrics: Substring(metrics.render())) == ReloadCounters(applied: 0, refused: 0))
        metrics.reloadApplied()
        metrics.reloadApplied()
        metrics.reloadRefused()
        #expect(ReloadCounters(metrics: Substring(metrics.render())) == ReloadCounters(applied: 2, refused: 1))
    }
}
