import Foundation

/// `gateway health --url ...`: the replicas, then one line per connector with its worst state,
/// each replica's state (`#1`, `#2`, ... as numbered in the first table) and the worst reason.
extension FleetHealth {
    package func table(color: Bool) -> String {
        var lines = FleetHealth.align(
            [["REPLICA", "URL", "STATE", "CONNECTORS", "REPORT AGE", "NOTE"]]
                + replicas.enumerated().map { index, replica in
                    [
                        "#\(index + 1)", replica.url, replica.stateName,
                        replica.report.map { String($0.connectors.count) } ?? "-",
                        replica.report?.ageSeconds.map { HealthFormat.milliseconds($0) } ?? "-",
                        replica.problem ?? "",
                    ]
                },
            paint: { row, column, text in
                guard color, row > 0, column == 2 else { return text }
                let replica = replicas[row - 1]
                return replica.report.map { HealthTable.paint(text, $0.state) } ?? HealthTable.paint(text, .fail)
            })
        lines.append("")
        let numbers = replicas.indices.map { "#\($0 + 1)" }
        let header = ["CONNECTOR", "KIND", "WORST"] + numbers + ["TUNNELS", "REASON"]
        let rows = connectors.map { connector in
            [connector.name, connector.kind, connector.worst.rawValue]
                + connector.states.map { $0?.rawValue ?? "-" }
                + [connector.tunnelsOpen.map(String.init) ?? "-", "#\(connector.worstReplica + 1): \(connector.reason)"]
        }
        lines += FleetHealth.align(
            [header] + rows,
            paint: { row, column, text in
                guard color, row > 0, column == 2 || (column > 2 && column < 3 + replicas.count) else { return text }
                let connector = connectors[row - 1]
                let state = column == 2 ? connector.worst : connector.states[column - 3]
                return state.map { HealthTable.paint(text, $0) } ?? text
            })
        lines.append("")
        lines.append(summaryLine)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Columns padded to their widest cell, two spaces apart, the last one unpadded.
    static func align(_ rows: [[String]], paint: (Int, Int, String) -> String) -> [String] {
        var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.enumerated().map { rowIndex, row in
            row.enumerated().map { index, cell in
                let last = index == row.count - 1
                let padded = last ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                return paint(rowIndex, index, padded)
            }.joined(separator: "  ")
        }.map { line in
            var line = line
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
