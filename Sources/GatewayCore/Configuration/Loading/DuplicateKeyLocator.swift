import Foundation
import Yams

/// Yams reports a duplicate key without the line of the repeat; this finds it, and the
/// connector it belongs to, from the text: the first two occurrences of `key:` at the same
/// column with no line between them that leaves their mapping.
enum DuplicateKeyLocator {
    static func locate(_ key: String, in text: String, mappingLine: Int) -> (line: Int, connector: String?) {
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        var open: [Int: Int] = [:]  // column -> index of the last occurrence still in its mapping
        for (index, line) in lines.enumerated() {
            guard let indent = indentation(line) else { continue }  // blank or comment
            // A line less indented than a mapping, or a new list item at its level, ends it.
            for (column, _) in open where indent < column || (isListItem(line) && indent + 2 == column) {
                open[column] = nil
            }
            if let column = keyColumn(line, key: key) {
                if let first = open[column] {
                    return (index + 1, connectorName(before: first, column: column, lines: lines))
                }
                open[column] = index
            }
        }
        return (mappingLine, nil)
    }

    static func connectorName(before index: Int, column: Int, lines: [String]) -> String? {
        for candidate in stride(from: index, through: 0, by: -1) {
            let line = lines[candidate]
            if keyColumn(line, key: "name") == column, let colon = line.firstIndex(of: ":") {
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            if let indent = indentation(line), indent < column, !(isListItem(line) && indent + 2 == column) { return nil }
        }
        return nil
    }

    static func indentation(_ line: String) -> Int? {
        let indent = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(indent)
        return rest.isEmpty || rest.hasPrefix("#") ? nil : indent
    }

    static func isListItem(_ line: String) -> Bool {
        line.drop { $0 == " " }.hasPrefix("- ")
    }

    /// The column of `key:` on the line (after indentation and an optional list dash), or nil.
    static func keyColumn(_ line: String, key: String) -> Int? {
        var column = 0
        var rest = Substring(line)
        while rest.first == " " {
            rest = rest.dropFirst()
            column += 1
        }
        if rest.hasPrefix("- ") {
            rest = rest.dropFirst(2)
            column += 2
            while rest.first == " " {
                rest = rest.dropFirst()
                column += 1
            }
        }
        guard rest.hasPrefix(key) else { return nil }
        let after = rest.dropFirst(key.count).drop { $0 == " " }
        return after.hasPrefix(":") ? column : nil
    }
}
