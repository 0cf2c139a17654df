import Foundation
import Yams

/// Parses YAML text into a node tree that remembers line numbers, turning syntax errors into
/// `yaml.syntax` issues with `file:line`.
enum YAMLSource {
    static func parse(_ text: String, path: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(issues: [issue(for: error, path: path, text: text)])
        } catch {
            throw ConfigError(issues: [
                ConfigIssue(
                    .yamlSyntax, at: "\(path):1", problem: "The file is not valid YAML.",
                    fix: "Check the file with a YAML linter and correct the reported place.")
            ])
        }
    }

    static func issue(for error: YamlError, path: String, text: String) -> ConfigIssue {
        let fix = "Correct the YAML at that place: check indentation, colons after keys and matching quotes."
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return ConfigIssue(.yamlSyntax, at: "\(path):\(mark.line)", problem: "YAML syntax error: \(problem)\(while_).", fix: fix)
        case let .duplicatedKeysInMapping(duplicates, context):
            let place = DuplicateKeyLocator.locate(duplicates.sorted().first ?? "", in: text, mappingLine: context.mark.line)
            return ConfigIssue(
                .yamlDuplicateKey, at: "\(path):\(place.line)", connector: place.connector,
                key: duplicates.sorted().joined(separator: ", "),
                problem:
                    "The mapping sets \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")) more than once; YAML would keep only one.",
                fix: "Remove the repeated line.")
        case let .reader(problem, offset, _, _):
            return ConfigIssue(
                .yamlSyntax, at: path, problem: "The file cannot be read as UTF-8 YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "").",
                fix: "Save the file as UTF-8 text.")
        default:
            // The error's own description can embed the whole document (and any literal secret).
            return ConfigIssue(.yamlSyntax, at: "\(path):1", problem: "The file is not valid YAML.", fix: fix)
        }
    }
}

extension Node {
    var line: Int { mark?.line ?? 0 }

    /// Nil for YAML null (`~`, `null`, empty).
    var isNull: Bool {
        guard case let .scalar(scalar) = self, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    var kindName: String {
        switch self {
        case .scalar: return "a single value"
        case .mapping: return "a mapping (key: value lines)"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

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
