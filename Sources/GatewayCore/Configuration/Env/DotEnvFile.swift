/// A parsed dotenv file: `KEY=value` lines, `#` comments, blank lines, an optional `export `
/// prefix, single quotes (literal) and double quotes (with `\n \r \t \" \\ \$` escapes).
/// No variable interpolation: a value means exactly what is written.
package struct DotEnvFile: Sendable {
    package struct Entry: Sendable, Hashable {
        package var key: String
        package var value: String
        package var line: Int
    }

    /// One line of the file as written, kept for rendering templates back in order.
    package enum Line: Sendable, Hashable {
        case blankOrComment(String)
        case assignment(Entry, exported: Bool)
    }

    package var path: String
    package var lines: [Line]

    /// The assignments in file order (a key set twice appears twice; the later one wins).
    package var entries: [Entry] {
        lines.compactMap { if case let .assignment(entry, _) = $0 { return entry } else { return nil } }
    }

    /// The effective value of every key (later assignments win).
    package var values: [String: Entry] {
        var result: [String: Entry] = [:]
        for entry in entries { result[entry.key] = entry }
        return result
    }

    /// Parses `text`; every malformed line is reported with `path:line`.
    package init(parsing text: String, path: String) throws(ConfigError) {
        self.path = path
        var lines: [Line] = []
        var issues: [ConfigIssue] = []
        var number = 0
        // Lines are split on scalars: "\r\n" is a single Character, so a Character-wise split
        // would read a CRLF file as one line.
        let rawLines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        for raw in rawLines {
            number += 1
            var scalars = Substring.UnicodeScalarView(raw)
            if scalars.last == "\r" { scalars.removeLast() }
            var line = Substring(scalars)
            if number == 1, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                lines.append(.blankOrComment(String(line)))
                continue
            }
            do {
                let (entry, exported) = try Self.parseAssignment(trimmed, line: number)
                lines.append(.assignment(entry, exported: exported))
            } catch {
                issues.append(
                    ConfigIssue(
                        .dotenvSyntax, at: "\(path):\(number)", problem: error.problem,
                        fix: "Write the line as KEY=value (optionally 'export KEY=value'), quoting values with spaces or '#'."))
            }
        }
        // A trailing newline produces one empty last line that is not part of the file.
        if case .blankOrComment("") = lines.last, text.unicodeScalars.last == "\n" { lines.removeLast() }
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        self.lines = lines
    }

    struct LineError: Error { var problem: String }

    static func parseAssignment(_ text: Substring, line: Int) throws(LineError) -> (Entry, Bool) {
        var rest = text
        var exported = false
        if rest.hasPrefix("export ") || rest.hasPrefix("export\t") {
            exported = true
            rest = rest.dropFirst("export".count).drop { $0 == " " || $0 == "\t" }
        }
        guard let equals = rest.firstIndex(of: "=") else {
            // The line itself is not shown: a pasted secret is a common cause of this error.
            throw LineError(problem: "The line has no '=', so it is not an assignment.")
        }
        var key = rest[..<equals]
        while key.last == " " || key.last == "\t" { key = key.dropLast() }
        guard EnvName.isValid(key) else {
            throw LineError(problem: "'\(Self.excerpt(key))' is not a valid variable name (letters, digits and '_', not starting with a digit).")
        }
        let valueText = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
        let value = try parseValue(valueText)
        return (Entry(key: String(key), value: value, line: line), exported)
    }

    static func parseValue(_ text: Substring) throws(LineError) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.first else { return "" }
        if first == "'" || first == "\"" {
            var value = String.UnicodeScalarView()
            var index = scalars.index(after: scalars.startIndex)
            var closed = false
            while index < scalars.endIndex {
                let scalar = scalars[index]
                if scalar == first {
                    closed = true
                    break
                }
                if first == "\"" && scalar == "\\" {
                    let next = scalars.index(after: index)
                    guard next < scalars.endIndex else { break }
                    switch scalars[next] {
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "t": value.append("\t")
                    case "\"": value.append("\"")
                    case "\\": value.append("\\")
                    case "$": value.append("$")
                    default:
                        throw LineError(problem: "The escape '\\\(scalars[next])' is not one of \\n \\r \\t \\\" \\\\ \\$.")
                    }
                    index = scalars.index(after: next)
                    continue
                }
                value.append(scalar)
                index = scalars.index(after: index)
            }
            guard closed else { throw LineError(problem: "The value opens a \(first) quote that is never closed on this line.") }
            let after = Substring(scalars[scalars.index(after: index)...]).drop { $0 == " " || $0 == "\t" }
            guard after.isEmpty || after.hasPrefix("#") else {
                throw LineError(problem: "Text follows the closing quote.")
            }
            return String(value)
        }
        // Unquoted: an inline comment starts at ' #'; trailing white space is dropped.
        var value = text
        if let hash = value.firstRange(of: " #") ?? value.firstRange(of: "\t#") {
            value = value[..<hash.lowerBound]
        }
        while value.last == " " || value.last == "\t" { value = value.dropLast() }
        if value.contains("\"") || value.contains("'") {
            throw LineError(problem: "An unquoted value contains a quote character; quote the whole value instead.")
        }
        return String(value)
    }

    /// Short, single-line excerpt of user text for messages (never used for values of sensitive keys).
    static func excerpt(_ text: some StringProtocol) -> String {
        let limited = text.prefix(40)
        return limited.count < text.count ? limited + "…" : String(limited)
    }
}
