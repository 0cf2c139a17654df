import Testing

@testable import GatewayCore

/// The sampling decision made before any span: the W3C header as read, and each sampler.
@Suite("Trace sampler")
struct TraceSamplerTests {
    static let sampled = TraceParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    static let unsampled = TraceParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")

    @Test(
        arguments: [
            nil, "", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "00-0af7651916cd43dd8448eb211c80319x-b7ad6b7169203331-01", "00-0af7651916cd43dd-b7ad6b7169203331-01",
        ] as [String?])
    func malformedHeadersAreNoParent(header: String?) {
        #expect(TraceParent(header) == nil)
    }

    @Test func aValidHeaderIsReadWithItsSampledFlag() throws {
        let parent = try #require(Self.sampled)
        #expect(parent.traceID == "0af7651916cd43dd8448eb211c80319c" && parent.spanID == "b7ad6b7169203331" && parent.sampled)
        #expect(Self.unsampled?.sampled == false)
        #expect(
            TraceParent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-future")?.sampled == true,
            "a later version's extra fields are ignored")
    }

    @Test func parentBasedSamplersFollowTheCallerAndDecideRootsThemselves() {
        let never: () -> UInt64 = {
            Issue.record("no random number for a parent's decision")
            return 0
        }
        for sampler in [TelemetryConfiguration.Sampler.parentBasedAlwaysOn, .parentBasedAlwaysOff, .parentBasedTraceIDRatio] {
            let decide = TraceSampler(sampler: sampler, ratio: 0.5)
            #expect(decide.sampled(Self.sampled, random: never))
            #expect(!decide.sampled(Self.unsampled, random: never))
        }
        #expect(TraceSampler(sampler: .parentBasedAlwaysOn, ratio: 0).sampled(nil, random: { 0 }))
        #expect(!TraceSampler(sampler: .parentBasedAlwaysOff, ratio: 1).sampled(nil, random: { 0 }))
    }

    @Test func ratiosDecideByTheTraceIDSoEveryServiceDecidesAlike() {
        let half = TraceSampler(sampler: .traceIDRatio, ratio: 0.5)
        let low = TraceParent("00-0af7651916cd43dd0000000000000001-b7ad6b7169203331-01")
        let high = TraceParent("00-0af7651916cd43ddffffffffffffff00-b7ad6b7169203331-00")
        #expect(half.sampled(low, random: { .max }), "the trace id's last 8 bytes, not the random number")
        #expect(!half.sampled(high, random: { 0 }))
        #expect(!TraceSampler(sampler: .parentBasedTraceIDRatio, ratio: 0).sampled(nil, random: { 0 }))
        #expect(TraceSampler(sampler: .parentBasedTraceIDRatio, ratio: 1).sampled(nil, random: { .max }))
        var generator = SystemRandomNumberGenerator()
        let taken = (0..<10_000).filter { _ in
            TraceSampler(sampler: .parentBasedTraceIDRatio, ratio: 0.1).sampled(nil, random: { generator.next() })
        }.count
        #expect((800...1200).contains(taken), "about 10%: \(taken)")
    }
}
