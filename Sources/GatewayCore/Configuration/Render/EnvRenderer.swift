import Foundation

/// Renders the generated env: the template's lines, comments and order kept, its values replaced
/// by the projection (overlays already applied), new keys appended in projection order.
package struct EnvRenderer: Sendable {
    package var template: DotEnvFile
    package var overlays: [DotEnvFile]
    package var requireReferenceForSensitive: Bool
    /// Variables that hold secrets by declaration (credential settings), sensitive whatever
    /// their name says.
    package var secretVariables: Set<String>

    package init(
        template: DotEnvFile, overlays: [DotEnvFile], requireReferenceForSensitive: Bool, secretVariables: Set<String> = []
    ) {
        self.template = template
        self.overlays = overlays
        self.requireReferenceForSensitive = requireReferenceForSensitive
        self.secretVariables = secretVariables
    }

    package static let appendedHeader = "# Added by gateway render-env: keys the template does not list."

    /// The final key/value pairs, in output order.
    package func values(for projection: [EnvProjection.Entry]) -> [EnvProjection.Entry] {
        var order: [String] = []
        var values: [String: String] = [:]
        func put(_ key: String, _ value: String) {
            if values[key] == nil { order.append(key) }
            values[key] = value
        }
        for entry in template.entries { put(entry.key, entry.value) }
        for entry in projection { put(entry.key, entry.value) }
        for overlay in overlays {
            for entry in overlay.entries where !projection.contains(where: { $0.key == entry.key }) {
                put(entry.key, entry.value)
            }
        }
        return order.map { EnvProjection.Entry(key: $0, value: values[$0]!) }
    }

    package func render(_ projection: [EnvProjection.Entry]) throws(ConfigError) -> String {
        let final = values(for: projection)
        let byKey = Dictionary(final.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        try refuseLiterals(final)
        var lines: [String] = []
        var written: Set<String> = []
        for line in template.lines {
            switch line {
            case let .blankOrComment(text):
                lines.append(text)
            case let .assignment(entry, exported):
                lines.append(DotEnvWriter.assignment(entry.key, byKey[entry.key] ?? entry.value, exported: exported))
                written.insert(entry.key)
            }
        }
        let rest = final.filter { !written.contains($0.key) }
        if !rest.isEmpty {
            if let last = lines.last, !last.isEmpty { lines.append("") }
            lines.append(Self.appendedHeader)
            for entry in rest { lines.append(DotEnvWriter.assignment(entry.key, entry.value)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The entries of `final` that hold a literal secret: a sensitive name (or a credential
    /// variable) with a value that is not a reference, or a URL that carries a credential.
    /// `--harden-refs` moves these to OpenBao.
    package func literalSecrets(in final: [EnvProjection.Entry]) -> [EnvProjection.Entry] {
        final.filter { reason(for: $0) != nil }
    }

    /// Why `entry` holds a literal secret, nil when it does not.
    package func reason(for entry: EnvProjection.Entry) -> LiteralSecret? {
        LiteralSecret.classify(key: entry.key, value: entry.value, declaredSecret: secretVariables.contains(entry.key))
    }

    private func refuseLiterals(_ final: [EnvProjection.Entry]) throws(ConfigError) {
        guard requireReferenceForSensitive else { return }
        var diagnostics = Diagnostics()
        for entry in final {
            guard let reason = reason(for: entry) else { continue }
            let what: String
            switch reason {
            case .sensitiveKey: what = "\(entry.key) holds a literal secret"
            case .credentialURL: what = "\(entry.key) holds a literal secret: \(reason)"
            }
            diagnostics.append(
                ConfigIssue(
                    .literalSecretRefused, at: origin(of: entry.key), key: entry.key,
                    problem: "\(what), and \(EnvironmentLayers.requireRefVariable)=true refuses literals.",
                    fix: reason.fix))
        }
        try diagnostics.check()
    }

    private func origin(of key: String) -> String {
        for file in ([template] + overlays).reversed() {
            if let entry = file.values[key] { return "\(file.path):\(entry.line)" }
        }
        return "the projected inventory"
    }

    /// Writes `text` to `path` through a temporary file in the same folder and a rename, so a
    /// reader never sees a half-written file.
    package static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try Data(text.utf8).write(to: temporary)
        if rename(temporary.path, url.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "rename failed: \(String(cString: strerror(code)))"])
        }
    }
}
