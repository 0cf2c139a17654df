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
