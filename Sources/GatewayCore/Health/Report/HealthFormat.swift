import Foundation

/// Shared formatting of times, durations and body excerpts for the table, JSON and page.
enum HealthFormat {
    /// `0.4 ms`, `12 ms`, `1.25 s`.
    static func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1000
        if ms < 10 { return String(format: "%.1f ms", ms) }
        if ms < 1000 { return "\(Int(ms.rounded())) ms" }
        return String(format: "%.2f s", seconds)
    }

    /// Milliseconds rounded to a tenth, for JSON.
    static func jsonMilliseconds(_ seconds: Double) -> Double {
        (seconds * 10_000).rounded() / 10
    }

    /// Seconds rounded to a tenth, for JSON.
    static func jsonSeconds(_ seconds: Double) -> Double {
        (max(0, seconds) * 10).rounded() / 10
    }

    /// RFC 3339 in UTC with milliseconds: `2026-11-29T11:01:46.123Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// `just now`, `12 s ago`, `3 min ago`, `2 h ago`.
    static func age(_ seconds: Double) -> String {
        if seconds < 1 { return "just now" }
        if seconds < 120 { return "\(Int(seconds)) s ago" }
        if seconds < 7200 { return "\(Int(seconds / 60)) min ago" }
        return "\(Int(seconds / 3600)) h ago"
    }

    /// The start of a body as one printable line of at most `limit` characters.
    static func excerpt(_ bytes: [UInt8], limit: Int = 200) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        var line = ""
        var lastWasSpace = false
        var truncated = false
        for scalar in text.unicodeScalars {
            if line.unicodeScalars.count >= limit {
                truncated = true
                break
            }
            if scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F {
                if !lastWasSpace, !line.isEmpty { line.append(" ") }
                lastWasSpace = true
            } else {
                line.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        while line.last == " " { line.removeLast() }
        guard !line.isEmpty else { return nil }
        return truncated ? line + "..." : line
    }

    /// `expires in 3 days (2026-12-02)`, `expired 2 days ago`.
    static func expiry(_ tls: TLSSummary, now: Date) -> String? {
        guard let date = tls.notValidAfter, let days = tls.daysUntilExpiry(now: now) else { return nil }
        let day = String(timestamp(date).prefix(10))
        if date < now { return "expired \(-days) day\(days == -1 ? "" : "s") ago (\(day))" }
        return "\(days) day\(days == 1 ? "" : "s") (\(day))"
    }
}
