import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayCore

/// Rates and in-flight caps: the token bucket as a value, admission as the data path asks for
/// it, and the 429 a caller gets in process.
@Suite("request limits")
struct RequestLimitsTests {
    static let t0 = NIODeadline.uptimeNanoseconds(5_000_000_000)

    @Test func aBucketLetsABurstThroughThenRefillsAtItsRate() {
        var bucket = TokenBucket(rate: 5, burst: 3)
        let burst = (0..<4).map { _ in bucket.take(now: Self.t0) == nil }
        #expect(burst == [true, true, true, false])
        #expect(bucket.take(now: Self.t0) == 0.2, "one token every 1/5 s")
        #expect(bucket.take(now: Self.t0 + .milliseconds(199)) != nil)
        #expect(bucket.take(now: Self.t0 + .milliseconds(200)) == nil)
        #expect(bucket.take(now: Self.t0 + .seconds(60)) == nil)
        #expect(bucket.tokens == 2, "never more than the burst")
    }

    static func limits(principal: String = "", connector: String = "") throws -> RequestLimits {
        let configuration = try echoConfiguration(
            """
            gateway:
              principals:
                - {name: worker, token: "env://W", connectors: ["*"]\(principal.isEmpty ? "" : ", " + principal)}
                - {name: other, token: "env://O", connectors: ["*"]}
            connector_inventory:
              - name: echo
                executor_url: http://127.0.0.1:9000
                auth: {token: "env://T"}
            \(connector.isEmpty ? "" : "    " + connector)
            """, env: ["W": "w", "O": "o", "T": "t"])
        return RequestLimits(configuration: configuration)
    }

    @Test func noLimitConfiguredMeansNoAdmissionWork() throws {
        #expect(try Self.limits().isEmpty)
    }

    @Test func aPrincipalsRateRefusesWith429AndRetryAfter() throws {
        let limits = try Self.limits(principal: "rate: {requests_per_second: 2, burst: 2}")
        var outcomes: [String] = []
        for _ in 0..<3 {
            switch limits.admit(principal: "worker", connector: "echo", now: Self.t0) {
            case .admitted: outcomes.append("ok")
            case let .refused(error, limit): outcomes.append("\(error.status) \(limit) retry-after \(error.retryAfter ?? -1)")
            }
        }
        #expect(outcomes == ["ok", "ok", "429 rate retry-after 1"])
        if case .refused = limits.admit(principal: "other", connector: "echo", now: Self.t0) {
            Issue.record("another principal is not limited")
        }
        #expect(limits.metricsText().contains(#"gateway_requests_limited_total{principal="worker",connector="echo",limit="rate"} 1"#))
    }

    @Test func inFlightCapsHoldUntilReleasedAndTakeNoToken() throws {
        let limits = try Self.limits(principal: "max_in_flight: 1, rate: {requests_per_second: 1, burst: 2}")
        guard case let .admitted(first) = limits.admit(principal: "worker", connector: "echo", now: Self.t0) else {
            Issue.record("first request refused")
            return
        }
        guard case let .refused(error, limit) = limits.admit(principal: "worker", connector: "echo", now: Self.t0) else {
            Issue.record("second request admitted past max_in_flight 1")
            return
        }
        #expect(error.status == 429 && limit == "principal_in_flight" && error.kind == .rateLimited)
        first.release()
        // The refused request took no token: one is left of the burst of two.
        guard case .admitted = limits.admit(principal: "worker", connector: "echo", now: Self.t0) else {
            Issue.record("refused after the release")
            return
        }
    }

    @Test func aConnectorsCapCountsEveryPrincipal() throws {
        let limits = try Self.limits(connector: "limits: {max_in_flight: 1}")
        guard case .admitted = limits.admit(principal: "worker", connector: "echo", now: Self.t0) else {
            Issue.record("first request refused")
            return
        }
        guard case let .refused(_, limit) = limits.admit(principal: "other", connector: "echo", now: Self.t0) else {
            Issue.record("admitted past the connector's cap")
            return
        }
        #expect(limit == "connector_in_flight")
    }

    @Test func aBurstWithoutARateIsAConfigurationError() throws {
        #expect(throws: ConfigError.self) { try Self.limits(principal: "rate: {burst: 3}") }
        #expect(throws: ConfigError.self) { try Self.limits(principal: "rate: {per_connector: true}") }
    }

    @Test func aRatePerConnectorIsABucketForEachConnectorThePrincipalMayUse() throws {
        let configuration = try echoConfiguration(
            """
            gateway:
              principals:
                - {name: worker, token: "env://W", connectors: [a, b], rate: {requests_per_second: 1, burst: 2, per_connector: true}}
            connector_inventory:
              - {name: a, kind: echo, executor_url: "http://127.0.0.1:9000"}
              - {name: b, kind: echo, executor_url: "http://127.0.0.1:9001"}
            """, env: ["W": "w"])
        let limits = RequestLimits(configuration: configuration)
        func admitted(_ connector: String) -> Bool {
            if case .admitted = limits.admit(principal: "worker", connector: connector, now: Self.t0) { return true }
            return false
        }
        #expect([admitted("a"), admitted("a"), admitted("a")] == [true, true, false])
        #expect([admitted("b"), admitted("b"), admitted("b")] == [true, true, false], "b's bucket is its own")
        guard case let .refused(error, _) = limits.admit(principal: "worker", connector: "b", now: Self.t0) else {
            Issue.record("admitted past b's bucket")
            return
        }
        #expect(error.detail.contains("to 'b'"))
    }

    @Test func theCallerGets429InProblemJSONAndTheNextSecondGoesThrough() throws {
        let proxy = try EmbeddedProxy(principal: "rate: {requests_per_second: 1, burst: 1}")
        try proxy.send(EmbeddedProxy.request("GET", "/a"))
        #expect(try proxy.upstreamReceived().hasPrefix("GET /base/a HTTP/1.1"))
        try proxy.upstreamAnswers(ProxyFaultTests.ok)
        #expect(ProxyFaultTests.status(try proxy.callerReceived()) == "HTTP/1.1 200 OK")
        try proxy.send(EmbeddedProxy.request("GET", "/b"))
        let refused = try proxy.callerReceived()
        #expect(ProxyFaultTests.status(refused) == "HTTP/1.1 429 Too Many Requests")
        #expect(refused.lowercased().contains("retry-after: 1\r\n"))
        #expect(refused.contains("urn:fractalops:gateway:rate-limited"))
        #expect(try proxy.upstreamReceived() == "", "nothing of a refused request goes upstream")
        proxy.loop.advanceTime(by: .seconds(1))
        try proxy.send(EmbeddedProxy.request("GET", "/c"))
        #expect(try proxy.upstreamReceived().hasPrefix("GET /base/c HTTP/1.1"))
    }

    @Test func anOverloadedUpstreamIsCountedAndPassedOnAsItIs() throws {
        let proxy = try EmbeddedProxy()
        try proxy.send(EmbeddedProxy.request("GET", "/a"))
        try proxy.upstreamAnswers("HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\ncontent-length: 0\r\n\r\n")
        let answer = try proxy.callerReceived()
        #expect(ProxyFaultTests.status(answer) == "HTTP/1.1 429 Too Many Requests")
        #expect(answer.lowercased().contains("retry-after: 7\r\n"))
        #expect(proxy.holder.context.metrics.render().contains(#"gateway_upstream_throttled_total{connector="echo"} 1"#))
        #expect(proxy.dialed.count == 1, "never retried")
    }
}
