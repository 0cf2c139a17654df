import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

/// The caller's connection as a value: which parts reach the exchange, which are dropped or
/// wait behind a response in flight (pipelining), and when reads are held.
@Suite("caller connection state machine")
struct CallerConnectionStateMachineTests {
    static let now = ExchangeStateMachineTests.t0
    static let head = CallerRequestPart.head(CallerRequestHead(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/executor/up/x")))

    static func summary(_ action: CallerConnectionStateMachine.ReadAction) -> String {
        switch action {
        case .queued: "queued"
        case let .route(head): "route \(head.uri)"
        case let .exchange(action): describe(action)
        case .dropped: "dropped"
        case .requestDone: "requestDone"
        }
    }

    static func expectRead(
        _ action: CallerConnectionStateMachine.ReadAction?, _ expected: String?, _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(action.map(summary) == expected, comment, sourceLocation: sourceLocation)
    }

    /// A connection whose current request is being proxied.
    static func proxying(_ method: HTTPMethod = .GET, declaresBody: Bool = false) -> CallerConnectionStateMachine {
        var m = CallerConnectionStateMachine()
        _ = m.received(head, now: now)
        m.started(ExchangeStateMachineTests.machine(method, declaresBody: declaresBody))
        return m
    }

    @Test func aLocallyAnsweredRequestDropsItsBodyThenIdles() {
        var m = CallerConnectionStateMachine()
        Self.expectRead(m.received(Self.head, now: Self.now), "route /executor/up/x")
        m.answeredLocally()
        Self.expectRead(m.received(.body(ByteBuffer(string: "x")), now: Self.now), "dropped")
        Self.expectRead(m.received(.end(nil), now: Self.now), "requestDone")
        #expect(m.phase == .idle)
    }

    @Test func partsOfTheCurrentRequestGoToTheExchange() {
        var m = Self.proxying(.POST, declaresBody: true)
        Self.expectRead(m.received(.body(ByteBuffer(string: "abc")), now: Self.now), "none", "held until a connection")
        #expect(m.exchange?.machine.requestBodyBytes == 3)
    }

    @Test func aPipelinedRequestWaitsForTheResponseInFlight() {
        var m = Self.proxying()
        Self.expectRead(m.received(.end(nil), now: Self.now), "none")
        Self.expectRead(m.received(Self.head, now: Self.now), "queued")
        Self.expectRead(m.received(.end(nil), now: Self.now), "queued")
        Self.expectRead(m.nextPipelined(now: Self.now), nil, "not while the response is in flight")
        _ = m.exchange?.machine.callerClosed()
        let ended = m.exchangeEnded().phase
        #expect(ended == .idle)
        Self.expectRead(m.nextPipelined(now: Self.now), "route /executor/up/x")
        Self.expectRead(m.nextPipelined(now: Self.now), "dropped", "its end: the handler had not routed it here")
        Self.expectRead(m.nextPipelined(now: Self.now), nil)
    }

    @Test func anExchangeThatEndsBeforeItsRequestDrainsTheRest() {
        var m = Self.proxying(.POST, declaresBody: true)
        _ = m.exchange?.machine.connectionFailed(ProxyError(.refused, status: 502, title: "", detail: ""))
        let ended = m.exchangeEnded().phase
        #expect(ended == .draining)
        Self.expectRead(m.received(.body(ByteBuffer(string: "x")), now: Self.now), "dropped")
        Self.expectRead(m.received(.end(nil), now: Self.now), "requestDone")
    }

    @Test func readsWaitForTheUpstreamConnection() {
        var m = Self.proxying(.POST, declaresBody: true)
        var reads: [Bool] = []
        reads.append(m.readRequested(upstreamWritable: false))  // no connection yet: nowhere for the body to go
        reads.append(m.resumeRead(upstreamWritable: false))
        _ = m.exchange?.machine.connectionAttached(reused: false, now: Self.now)
        reads.append(m.resumeRead(upstreamWritable: false))  // attached, but the upstream is not writable
        reads.append(m.resumeRead(upstreamWritable: true))
        reads.append(m.resumeRead(upstreamWritable: true))  // one held read, resumed once
        reads.append(m.readRequested(upstreamWritable: true))
        #expect(reads == [false, false, false, true, false, true])
    }

    @Test func readsStopWhenThePipelinedQueueIsFull() {
        var m = Self.proxying()
        _ = m.received(.end(nil), now: Self.now)
        _ = m.received(.body(ByteBuffer(repeating: 0, count: PipelineQueue.maxBytes)), now: Self.now)
        let whileFull = m.readRequested(upstreamWritable: true)
        _ = m.exchange?.machine.callerClosed()
        _ = m.exchangeEnded()
        while m.nextPipelined(now: Self.now) != nil {}
        let drained = m.resumeRead(upstreamWritable: false)
        #expect(!whileFull && drained)
    }

    @Test func quiescingClosesAnIdleConnectionAtOnceAndABusyOneAfterItsResponse() {
        var idle = CallerConnectionStateMachine()
        let idleCloses = idle.quiesce()
        #expect(idleCloses)
        var busy = Self.proxying()
        let busyCloses = busy.quiesce()
        #expect(!busyCloses)
        #expect(busy.quiescing)
    }
}
