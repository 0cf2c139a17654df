import Yams

/// Parses YAML text into a node tree that remembers line numbers, turning syntax errors into
/// `yaml.syntax` issues with `file:line`.
enum YAMLSource {
    static func parse(_ text: String, path: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(issues: [issue(for: error, path: path)])
        } catch {
            throw ConfigError(issues: [ConfigIssue(
                .yamlSyntax, at: path, problem: "The file is not valid YAML (\(error)).",
                fix: "Check the file with a YAML linter and correct the reported place.")])
        }
    }

    static func issue(for error: YamlError, path: String) -> ConfigIssue {
        let fix = "Correct the YAML at that place: check indentation, colons after keys and matching quotes."
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return ConfigIssue(.yamlSyntax, at: "\(path):\(mark.line)", problem: "YAML syntax error: \(problem)\(while_).", fix: fix)
        case let .reader(problem, offset, _, _):
            return ConfigIssue(.yamlSyntax, at: path, problem: "The file cannot be read as UTF-8 YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "").",
                               fix: "Save the file as UTF-8 text.")
        default:
            return ConfigIssue(.yamlSyntax, at: path, problem: "The file is not valid YAML (\(error)).", fix: fix)
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
