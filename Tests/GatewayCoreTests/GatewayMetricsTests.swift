import Testing

@testable import GatewayCore

/// Request metrics kept per event loop and added up at scrape time.
@Suite("metrics shares")
struct GatewayMetricsTests {
    @Test func sharesOfEveryLoopAreAddedUp() {
        let metrics = GatewayMetrics(connectors: ["up"])
        let up = metrics.index(of: "up")
        let loopA = metrics.makeCounters()
        let loopB = metrics.makeCounters()
        for share in [loopA, loopB, loopB] {
            share.requestStarted()
            share.requestFinished(connector: up, method: "GET", status: 200, upstreamSeconds: 0.002, errorKind: nil)
        }
        loopA.requestStarted()  // still in flight
        loopB.upstreamConnection(reused: true)
        metrics.requestFinished(connector: "nobody", method: "POST", status: 404, upstreamSeconds: nil, errorKind: "unknown_connector")
        let text = metrics.render()
        #expect(text.contains(#"gateway_requests_total{connector="up",method="GET",status_class="2xx"} 3"#))
        #expect(text.contains(#"gateway_upstream_duration_seconds_bucket{connector="up",le="0.0025"} 3"#))
        #expect(text.contains(#"gateway_upstream_duration_seconds_count{connector="up"} 3"#))
        #expect(text.contains(#"gateway_requests_total{connector="(unknown)",method="POST",status_class="4xx"} 1"#))
        #expect(text.contains(#"gateway_errors_total{connector="(unknown)",kind="unknown_connector"} 1"#))
        #expect(text.contains("gateway_requests_in_flight 0"), "one in flight, one finished without a start: \(text)")
        #expect(text.contains(#"gateway_upstream_connections_total{reused="true"} 1"#))
    }

    @Test func aShareMadeBeforeAReloadCountsTheConnectorsItAdds() {
        let metrics = GatewayMetrics(connectors: ["up"])
        let share = metrics.makeCounters()
        metrics.register(["added"])
        share.requestStarted()
        share.requestFinished(connector: metrics.index(of: "added"), method: "DELETE", status: 502, upstreamSeconds: nil, errorKind: "reset")
        let text = metrics.render()
        #expect(text.contains(#"gateway_requests_total{connector="added",method="DELETE",status_class="5xx"} 1"#))
        #expect(text.contains(#"gateway_errors_total{connector="added",kind="reset"} 1"#))
    }
}
