import Foundation

extension InventoryLoader {
    /// The HTTPS listener needs its address and both halves of its pair; a path must be readable.
    func checkGatewayTLS(_ settings: ResolvedSettings, path: String, baseDirectory: String, diagnostics: inout Diagnostics) {
        let listen = settings["listen_tls"]
        let certificate = settings["tls.cert_file"]
        let key = settings["tls.key_file"]
        let anywhere = (listen ?? certificate ?? key)?.source.description ?? "\(path):1"
        if listen != nil || certificate != nil || key != nil {
            for (name, setting, variable) in [
                ("tls.cert_file", certificate, "FRACTALOPS_GATEWAY_TLS_CERT_FILE"),
                ("tls.key_file", key, "FRACTALOPS_GATEWAY_TLS_KEY_FILE"),
            ] where setting == nil {
                diagnostics.append(
                    ConfigIssue(
                        .serverCertificateIncomplete, at: anywhere, key: "gateway.\(name)",
                        problem: "The HTTPS listener is configured but 'gateway.\(name)' is not set.",
                        fix: "Set gateway.tls: {cert_file: ..., key_file: ...} (or \(variable)), or remove gateway.listen_tls and gateway.tls."))
            }
            if listen == nil {
                diagnostics.append(
                    ConfigIssue(
                        .serverCertificateIncomplete, at: anywhere, key: "gateway.listen_tls",
                        problem: "gateway.tls is set but no HTTPS listener address is.",
                        fix: "Set gateway.listen_tls: host:port (or FRACTALOPS_GATEWAY_LISTEN_TLS), or remove gateway.tls."))
            }
        }
        for (name, setting) in [("tls.cert_file", certificate), ("tls.key_file", key)] {
            if let issue = Self.unreadableFile(
                setting, baseDirectory: baseDirectory, code: .serverCertificateUnusable, key: "gateway.\(name)",
                fix:
                    "Point gateway.\(name) at a readable PEM file (relative paths are read from the inventory's folder), or write a reference (file://PATH, openbao://mount/path#field)."
            ) {
                diagnostics.append(issue)
            }
        }
    }
}
