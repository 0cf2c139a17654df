import Foundation

extension InventoryLoader {
    /// A TCP listener (Temporal) terminates TLS with `listen_tls: {cert_file, key_file,
    /// client_ca_file}`. With principals configured, only a client certificate can name the
    /// caller of a byte-stream listener (`transport: tcp` sees no token): one without TLS
    /// termination is a warning, one that terminates TLS without a client CA an error. A gRPC
    /// listener authenticates every call by token or certificate, so neither applies.
    func checkTCPListenerTLS(
        _ connectors: [ConnectorConfig], principals: [Principal], baseDirectory: String, diagnostics: inout Diagnostics
    ) {
        for connector in connectors where connector.isEnabled && connector.kind.traffic != .http {
            let settings = connector.settings
            let certificate = settings["listen_tls.cert_file"]
            let key = settings["listen_tls.key_file"]
            let clientCA = settings["listen_tls.client_ca_file"]
            let anywhere = (certificate ?? key ?? clientCA)?.source.description ?? connector.location
            if certificate != nil || key != nil || clientCA != nil {
                for (name, setting) in [("listen_tls.cert_file", certificate), ("listen_tls.key_file", key)] where setting == nil {
                    diagnostics.append(
                        ConfigIssue(
                            .serverCertificateIncomplete, at: anywhere, connector: connector.name, key: name,
                            problem: "listen_tls is set but '\(name)' is not: terminating TLS needs a certificate and its key.",
                            fix:
                                "Set listen_tls: {cert_file: ..., key_file: ..., client_ca_file: ...} (or \(connector.envPrefix)\(name.uppercased().replacingOccurrences(of: ".", with: "_"))), or remove listen_tls."
                        ))
                }
            }
            for (name, setting) in [("listen_tls.cert_file", certificate), ("listen_tls.key_file", key)] {
                if let issue = Self.unreadableFile(
                    setting, baseDirectory: baseDirectory, code: .serverCertificateUnusable, connector: connector.name, key: name,
                    fix:
                        "Point \(name) at a readable PEM file (relative paths are read from the inventory's folder), or write a reference (file://PATH, openbao://mount/path#field)."
                ) {
                    diagnostics.append(issue)
                }
            }
            if let issue = Self.unreadableFile(
                clientCA, baseDirectory: baseDirectory, code: .caFileUnreadable, connector: connector.name,
                key: "listen_tls.client_ca_file",
                fix: "Point listen_tls.client_ca_file at a readable PEM bundle of the CA that issues the callers' certificates.")
            {
                diagnostics.append(issue)
            }
            // A gRPC listener checks the principal of every call (token or certificate).
            guard !principals.isEmpty, connector.kind.tcpRoute(for: connector)?.grpc == nil else { continue }
            if certificate == nil {
                diagnostics.append(
                    ConfigIssue(
                        .tcpListenerUnchecked, severity: .warning, at: connector.location, connector: connector.name,
                        key: connector.kind.traffic.listenKey,
                        problem:
                            "Principals are configured, but this TCP listener passes TLS through: no principal can be checked on this listener, so any caller that reaches it is let through.",
                        fix:
                            "Terminate TLS on it with listen_tls: {cert_file, key_file, client_ca_file}, so that callers present client certificates of principals allowed on '\(connector.name)'."
                    ))
            } else if clientCA == nil {
                diagnostics.append(
                    ConfigIssue(
                        .clientCAMissing, at: anywhere, connector: connector.name, key: "listen_tls.client_ca_file",
                        problem:
                            "Principals are configured and this TCP listener terminates TLS, but listen_tls.client_ca_file is not set: no caller could prove a principal, so every connection would be refused.",
                        fix:
                            "Set listen_tls.client_ca_file to the CA that issues the callers' client certificates (and give their principals 'certificate' patterns)."
                    ))
            }
        }
    }
}
