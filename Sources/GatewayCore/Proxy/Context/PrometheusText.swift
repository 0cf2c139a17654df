import Foundation

/// Builds a Prometheus text exposition (format 0.0.4): a `# HELP` and `# TYPE` line per family,
/// then its samples, label values escaped. Every `/metrics` family is written with it.
struct PrometheusText {
    enum Kind: String { case counter, gauge, histogram }

    private(set) var text = ""

    mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One sample line without labels.
    mutating func sample(_ name: String, _ value: some CustomStringConvertible) {
        sample(name, [], value)
    }

    /// One sample line; `labels` keep their order.
    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: some CustomStringConvertible) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, (label, labelValue)) in labels.enumerated() {
                if index > 0 { text += "," }
                text += "\(label)=\"\(Self.escape(labelValue))\""
            }
            text += "}"
        }
        text += " \(value)\n"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
