import Foundation
import Yams

/// Small readers of YAML nodes shared by the loader's sections.
extension InventoryLoader {
    func scalar(
        _ mapping: Node.Mapping, _ key: String, path: String, connector: String?, diagnostics: inout Diagnostics
    ) -> (value: String, location: String)? {
        guard let (keyNode, node) = mapping.first(where: { $0.key.string == key }), !node.isNull else { return nil }
        guard case let .scalar(scalar) = node else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: "\(path):\(keyNode.line)", connector: connector, key: key,
                    problem: "'\(key)' must be a single value but is \(node.kindName).", fix: "Write '\(key): <value>'."))
            return nil
        }
        return (scalar.string, "\(path):\(keyNode.line)")
    }

    func stringList(
        _ mapping: Node.Mapping, _ key: String, path: String, owner: String, diagnostics: inout Diagnostics
    ) -> (values: [String], location: String) {
        guard let (keyNode, node) = mapping.first(where: { $0.key.string == key }), !node.isNull else {
            return ([], path)
        }
        let location = "\(path):\(keyNode.line)"
        guard case let .sequence(items) = node else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: location, connector: owner, key: key,
                    problem: "'\(key)' must be a list but is \(node.kindName).", fix: "Write '\(key): [a, b]'."))
            return ([], location)
        }
        var values: [String] = []
        for item in items {
            guard case let .scalar(scalar) = item else {
                diagnostics.append(
                    ConfigIssue(
                        .wrongType, at: "\(path):\(item.line)", connector: owner, key: key,
                        problem: "An item of '\(key)' is \(item.kindName).", fix: "List plain names."))
                continue
            }
            values.append(scalar.string)
        }
        return (values, location)
    }

    /// `websocket_paths`: caller paths under `/executor/<connector>` where a WebSocket upgrade
    /// is passed; each canonical and absolute. Nil when the entry does not set it.
    func websocketPaths(
        _ mapping: Node.Mapping, path: String, connector: String, diagnostics: inout Diagnostics
    ) -> [String]? {
        guard mapping.contains(where: { $0.key.string == "websocket_paths" }) else { return nil }
        let paths = stringList(mapping, "websocket_paths", path: path, owner: connector, diagnostics: &diagnostics)
        for value in paths.values where !value.hasPrefix("/") || !CanonicalPath.isCanonical(Substring(value)) {
            diagnostics.append(
                ConfigIssue(
                    .invalidValue, at: paths.location, connector: connector, key: "websocket_paths",
                    problem: "'\(value)' is not an absolute canonical path.",
                    fix:
                        "Write paths as the caller spells them after /executor/\(connector), e.g. '/v1/realtime', without '..', '.', '//' or escapes."
                ))
        }
        return paths.values
    }

    func checkLabels(_ mapping: Node.Mapping, path: String, connector: String, diagnostics: inout Diagnostics) {
        guard let (keyNode, node) = mapping.first(where: { $0.key.string == "labels" }), !node.isNull else { return }
        guard case let .mapping(labels) = node, labels.allSatisfy({ $0.key.string != nil && $0.value.string != nil }) else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: "\(path):\(keyNode.line)", connector: connector, key: "labels",
                    problem: "'labels' must be a mapping of names to single values.", fix: "Write 'labels: {team: ops}'."))
            return
        }
    }
}
