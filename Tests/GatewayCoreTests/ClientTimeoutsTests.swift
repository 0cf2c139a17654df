import NIOCore
import Testing

@testable import GatewayCore

/// The time a caller's connection may spend without a request, as a value: each phase's
/// deadline and what happens when it runs out.
@Suite("client timeouts")
struct ClientTimeoutsTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    static func limits() -> ClientLimits {
        var limits = ClientLimits()
        limits.headerReadTimeout = 10
        limits.clientIdleTimeout = 60
        limits.requestBodyTimeout = 20
        return limits
    }

    @Test func aNewConnectionThatSendsNothingIsClosedAfterTheHeaderReadTimeout() {
        var timeouts = ClientTimeouts(limits: Self.limits())
        #expect(timeouts.opened(now: Self.start) == Self.start + .seconds(10))
        guard case .notYet(Self.start + .seconds(10)) = timeouts.fired(now: Self.start + .seconds(9)) else {
            Issue.record("early: fire again at the deadline")
            return
        }
        guard case .close = timeouts.fired(now: Self.start + .seconds(10)) else {
            Issue.record("no byte of a request: closed without an answer")
            return
        }
    }

    @Test func aHeadStartedButNotFinishedGets408() {
        var timeouts = ClientTimeouts(limits: Self.limits())
        _ = timeouts.opened(now: Self.start)
        timeouts.requestStarted()
        #expect(timeouts.requestFinished(now: Self.start + .seconds(1)) == Self.start + .seconds(61), "idle between requests")
        #expect(timeouts.bytesArrived(now: Self.start + .seconds(30)) == Self.start + .seconds(40), "a head has 10 s from its first byte")
        #expect(timeouts.bytesArrived(now: Self.start + .seconds(31)) == nil, "later bytes of the same head move nothing")
        guard case let .requestTimeout(error) = timeouts.fired(now: Self.start + .seconds(40)) else {
            Issue.record("408 for a head that did not complete")
            return
        }
        #expect(error.status == 408)
        #expect(error.detail.contains("10 s (gateway.limits.header_read_timeout)"))
    }

    @Test func nothingRunsOutWhileARequestIsHandled() {
        var timeouts = ClientTimeouts(limits: Self.limits())
        _ = timeouts.opened(now: Self.start)
        timeouts.requestStarted()
        #expect(timeouts.deadline == nil)
        guard case .notYet(nil) = timeouts.fired(now: Self.start + .seconds(3600)) else {
            Issue.record("the exchange's own deadlines apply")
            return
        }
        #expect(timeouts.requestFinished(now: Self.start + .seconds(5)) == Self.start + .seconds(65))
        #expect(timeouts.requestFinished(now: Self.start + .seconds(6)) == nil, "only the end of a request starts the idle time")
    }

    @Test func theRestOfABodyAfterAnEarlyAnswerHasTheBodyTimeout() {
        var timeouts = ClientTimeouts(limits: Self.limits())
        _ = timeouts.opened(now: Self.start)
        timeouts.requestStarted()
        #expect(timeouts.discardingBody(now: Self.start + .seconds(1)) == Self.start + .seconds(21))
        #expect(timeouts.bytesArrived(now: Self.start + .seconds(2)) == nil, "dropped body bytes move nothing")
        guard case .close = timeouts.fired(now: Self.start + .seconds(21)) else {
            Issue.record("a trickled body cannot hold the connection")
            return
        }
        #expect(ClientTimeouts.format(0.25) == "250 ms" && ClientTimeouts.format(3) == "3 s")
    }
}
