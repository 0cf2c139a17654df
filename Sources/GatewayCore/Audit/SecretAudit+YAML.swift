import Yams

extension SecretAudit {
    /// Every scalar of a YAML (or JSON) document, judged by the key it sits under and its value.
    /// Keys are reported as paths: `connector_inventory[nexus].auth.token`, a list item named
    /// by its `name` when it has one, by its index otherwise.
    static func audit(yaml text: String, path: String) throws(ConfigError) -> [AuditFinding] {
        guard let root = try YAMLSource.parse(text, path: path) else { return [] }
        var findings: [AuditFinding] = []
        walk(root, key: nil, keyPath: "", path: path, into: &findings)
        return findings
    }

    private static func walk(_ node: Node, key: String?, keyPath: String, path: String, into findings: inout [AuditFinding]) {
        switch node {
        case let .scalar(scalar):
            guard let key, !node.isNull, !isSwitch(scalar) else { return }
            if let reason = LiteralSecret.classify(key: key, value: scalar.string) {
                findings.append(AuditFinding(file: path, line: node.line, key: keyPath, reason: reason))
            }
        case let .mapping(mapping):
            for (keyNode, value) in mapping {
                let name = keyNode.string ?? "?"
                walk(value, key: name, keyPath: keyPath.isEmpty ? name : "\(keyPath).\(name)", path: path, into: &findings)
            }
        case let .sequence(sequence):
            for (index, item) in sequence.enumerated() {
                let label = item.mapping?["name"]?.string ?? String(index)
                // A list's items are judged by the key the list sits under (`tokens: [...]`).
                walk(item, key: key, keyPath: "\(keyPath)[\(label)]", path: path, into: &findings)
            }
        case .alias:
            return
        }
    }

    /// Plain booleans and numbers-as-switches are not secrets (`token_required: true`).
    private static func isSwitch(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["true", "false", "yes", "no", "on", "off"].contains(scalar.string.lowercased())
    }
}
