import NIOHTTP1
import Tracing

/// The ids of a span, for log lines: read from the `traceparent` its context injects.
struct TraceIDs: Sendable, Equatable {
    var traceID: String
    var spanID: String

    struct Carrier: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout String?) {
            if key == "traceparent" { carrier = value }
        }
    }

    init(traceID: String, spanID: String) {
        self.traceID = traceID
        self.spanID = spanID
    }

    /// `00-<trace id>-<span id>-<flags>`; nil for anything else.
    init?(traceparent: String?) {
        guard let parts = traceparent?.split(separator: "-"), parts.count == 4, parts[1].count == 32, parts[2].count == 16
        else { return nil }
        traceID = String(parts[1])
        spanID = String(parts[2])
    }
}
