#if canImport(CoreFoundation)
// Foundation's C overlay also declares timespec and tm; with MemberImportVisibility an
// optimized build may take them from it.
import CoreFoundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant, printed as RFC 3339 in UTC with milliseconds
/// (`2025-06-01T12:34:56.789Z`), the `time` of a JSON log line.
struct LogTimestamp: Sendable, Equatable {
    var seconds: Int
    var nanoseconds: Int

    init(seconds: Int, nanoseconds: Int = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    static func now() -> LogTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTimestamp(seconds: Int(spec.tv_sec), nanoseconds: Int(spec.tv_nsec))
    }

    var rfc3339: String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var text = ""
        text.reserveCapacity(24)
        Self.append(Int(parts.tm_year) + 1900, width: 4, to: &text)
        text.append("-")
        Self.append(Int(parts.tm_mon) + 1, width: 2, to: &text)
        text.append("-")
        Self.append(Int(parts.tm_mday), width: 2, to: &text)
        text.append("T")
        Self.append(Int(parts.tm_hour), width: 2, to: &text)
        text.append(":")
        Self.append(Int(parts.tm_min), width: 2, to: &text)
        text.append(":")
        Self.append(Int(parts.tm_sec), width: 2, to: &text)
        text.append(".")
        Self.append(nanoseconds / 1_000_000, width: 3, to: &text)
        text.append("Z")
        return text
    }

    private static func append(_ value: Int, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text.append(String(repeating: "0", count: width - digits.count)) }
        text.append(digits)
    }
}
