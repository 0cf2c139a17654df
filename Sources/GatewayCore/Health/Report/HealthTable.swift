import Foundation

/// The report as an aligned table for people, one connector per line, the reason last.
/// Colour (ANSI) only when asked, i.e. when standard output is a terminal.
package enum HealthTable {
    static let headers = ["CONNECTOR", "KIND", "STATE", "STEP", "LATENCY", "CERT EXPIRY", "REASON"]

    package static func render(_ report: HealthReport, color: Bool, now: Date = Date()) -> String {
        let rows = report.connectors.map { row($0, now: now) }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String], state: HealthState?) -> String {
            var out = ""
            for (index, cell) in cells.enumerated() {
                let last = index == cells.count - 1
                let padded = last ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                if index == 2, let state, color {
                    out += paint(padded, state)
                } else {
                    out += padded
                }
                if !last { out += "  " }
            }
            return out
        }
        var lines = [line(headers, state: nil)]
        for (health, cells) in zip(report.connectors, rows) { lines.append(line(cells, state: health.state)) }
        lines.append("")
        lines.append(report.summaryLine)
        return lines.joined(separator: "\n") + "\n"
    }

    static func row(_ health: ConnectorHealth, now: Date) -> [String] {
        [
            health.name, health.kind, health.state.rawValue, health.decidedBy.rawValue,
            health.probe?.latencySeconds.map(HealthFormat.milliseconds) ?? "-",
            health.tls.flatMap { HealthFormat.expiry($0, now: now) } ?? "-",
            health.reason,
        ]
    }

    /// Green ok, yellow degraded, magenta skip, bold red fail, dim unconfigured.
    static func paint(_ text: String, _ state: HealthState) -> String {
        let code: String
        switch state {
        case .ok: code = "32"
        case .degraded: code = "33"
        case .skip: code = "35"
        case .fail: code = "1;31"
        case .unconfigured: code = "2"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
