/// One literal secret `gateway audit` found: where (file, line, key) and why. Never the value.
package struct AuditFinding: Sendable, Hashable, CustomStringConvertible {
    package var file: String
    package var line: Int
    /// The variable (`FRACTALOPS_NEXUS_TOKEN`) or the key path in a YAML document
    /// (`connector_inventory[nexus].auth.token`).
    package var key: String
    package var reason: LiteralSecret

    package init(file: String, line: Int, key: String, reason: LiteralSecret) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    /// `examples/demo.env:3: FRACTALOPS_GATEWAY_WORKER_TOKEN: a sensitive key holds a literal value. Fix: ...`
    package var description: String {
        "\(file):\(line): \(key): \(reason). Fix: \(reason.fix)"
    }
}
