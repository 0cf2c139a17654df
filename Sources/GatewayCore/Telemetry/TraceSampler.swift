/// A caller's W3C `traceparent` (`00-<trace id>-<parent id>-<flags>`), read only as far as the
/// sampling decision and the log line need it.
struct TraceParent: Equatable {
    var traceID: Substring
    var spanID: Substring
    var sampled: Bool

    /// Nil for a missing or malformed header (the trace then starts here, as W3C says).
    init?(_ header: String?) {
        guard let header else { return nil }
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16,
            parts[3].count == 2, let flags = UInt8(parts[3], radix: 16),
            parts[1].allSatisfy(\.isHexDigit), parts[2].allSatisfy(\.isHexDigit),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" })
        else { return nil }
        traceID = parts[1]
        spanID = parts[2]
        sampled = flags & 1 == 1
    }
}

/// Which requests are traced, decided before any span exists: a request that is not traced
/// costs a header parse and, without a caller's trace, two random numbers (for the ids it
/// passes on with the sampled flag off, so that the services behind it decide alike). The
/// samplers of the OpenTelemetry specification; the ratio ones compare the trace id's last
/// 8 bytes with the ratio (a caller's trace is decided the same way by every service).
struct TraceSampler: Sendable {
    let sampler: TelemetryConfiguration.Sampler
    let ratio: Double

    func sampled(_ parent: TraceParent?, random: () -> UInt64) -> Bool {
        switch sampler {
        case .alwaysOn: true
        case .alwaysOff: false
        case .traceIDRatio: byRatio(parent, random: random)
        case .parentBasedAlwaysOn: parent?.sampled ?? true
        case .parentBasedAlwaysOff: parent?.sampled ?? false
        case .parentBasedTraceIDRatio: parent.map(\.sampled) ?? byRatio(nil, random: random)
        }
    }

    private func byRatio(_ parent: TraceParent?, random: () -> UInt64) -> Bool {
        if ratio >= 1 { return true }
        if ratio <= 0 { return false }
        let value = parent.flatMap { UInt64($0.traceID.suffix(16), radix: 16) } ?? random()
        return Double(value >> 11) < ratio * Double(UInt64(1) << 53)
    }
}
