import Foundation

extension InventoryLoader {
    /// A principal's `certificate: {uri_san, dns_san, subject_cn}`; nil when none is set or a
    /// pattern is refused (the refusal is in `diagnostics`).
    func certificateMatch(_ settings: ResolvedSettings, label: String, diagnostics: inout Diagnostics) -> CertificateMatch? {
        var match = CertificateMatch()
        var refused = false
        for (key, path) in [
            ("certificate.uri_san", \CertificateMatch.uriSAN), ("certificate.dns_san", \.dnsSAN),
            ("certificate.subject_cn", \.subjectCN),
        ] {
            guard let setting = settings[key], let text = setting.value.stringValue else { continue }
            switch NamePattern.parse(text) {
            case let .success(pattern): match[keyPath: path] = pattern
            case let .failure(refusal):
                refused = true
                diagnostics.append(
                    ConfigIssue(
                        .invalidValue, at: setting.source.description, connector: label, key: key,
                        problem: "The pattern '\(text)' is refused: \(refusal.reason).",
                        fix: "Write the exact name (spiffe://fractalops/worker/build-1) or a prefix ending in one '*' (spiffe://fractalops/worker/*)."
                    ))
            }
        }
        return refused || match.isEmpty ? nil : match
    }

    /// `gateway.tls.client_ca_file` and `client_auth` belong to the HTTPS listener, and certificate
    /// principals need a client CA to be verified against (the HTTPS listener's, or a TCP
    /// listener's `listen_tls.client_ca_file`).
    func checkClientCertificates(
        _ settings: ResolvedSettings, principals: [Principal], connectors: [ConnectorConfig], path: String, baseDirectory: String,
        diagnostics: inout Diagnostics
    ) {
        let clientCA = settings["tls.client_ca_file"]
        if let auth = settings["tls.client_auth"], clientCA == nil {
            diagnostics.append(
                ConfigIssue(
                    .clientCAMissing, at: auth.source.description, key: "gateway.tls.client_auth",
                    problem: "gateway.tls.client_auth is set but gateway.tls.client_ca_file is not: no client certificate can be verified.",
                    fix:
                        "Set gateway.tls.client_ca_file to the PEM bundle of the CA that issues client certificates (or FRACTALOPS_GATEWAY_TLS_CLIENT_CA_FILE), or remove client_auth."
                ))
        }
        if let clientCA, settings["listen_tls"] == nil {
            diagnostics.append(
                ConfigIssue(
                    .clientCAMissing, at: clientCA.source.description, key: "gateway.tls.client_ca_file",
                    problem: "gateway.tls.client_ca_file is set but there is no HTTPS listener to ask for client certificates.",
                    fix: "Set gateway.listen_tls with gateway.tls.cert_file and key_file, or remove client_ca_file."))
        }
        if let issue = Self.unreadableFile(
            clientCA, baseDirectory: baseDirectory, code: .caFileUnreadable, key: "gateway.tls.client_ca_file",
            fix: "Point gateway.tls.client_ca_file at a readable PEM bundle (relative paths are read from the inventory's folder).")
        {
            diagnostics.append(issue)
        }
        if clientCA == nil, !connectors.contains(where: { $0.isEnabled && $0.settings["listen_tls.client_ca_file"] != nil }) {
            for principal in principals where principal.certificate != nil {
                diagnostics.append(
                    ConfigIssue(
                        .clientCAMissing, at: principal.location, connector: "principal '\(principal.name)'", key: "certificate",
                        problem:
                            "The principal is matched by a client certificate, but no listener asks for one: neither gateway.tls.client_ca_file nor a TCP connector's listen_tls.client_ca_file is set.",
                        fix:
                            "Set gateway.tls.client_ca_file (with gateway.listen_tls and gateway.tls), or listen_tls.client_ca_file on a TCP connector, to the CA that issues the callers' certificates; or remove 'certificate'."
                    ))
            }
        }
    }
}
