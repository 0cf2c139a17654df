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
