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
