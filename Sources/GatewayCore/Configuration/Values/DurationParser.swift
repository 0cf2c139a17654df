/// Parses durations written as `250ms`, `5s`, `2m`, `1h` or a bare number of seconds.
package enum DurationParser {
    package static func seconds(from text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            return value * factor
        }
        guard let value = Double(text), value >= 0, value.isFinite else { return nil }
        return value
    }

    /// The shortest exact rendering: `90s`, `250ms`, `2m`.
    package static func format(_ seconds: Double) -> String {
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        if seconds.rounded() == seconds { return "\(Int(seconds))s" }
        return "\(Int((seconds * 1000).rounded()))ms"
    }
}
