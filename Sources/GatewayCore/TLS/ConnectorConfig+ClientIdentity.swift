import NIOSSL

extension ConnectorConfig {
    /// The client certificate this connector presents to its upstream (upstream mTLS), from
    /// `client_cert_file` and `client_key_file`; nil when neither is set.
    package func clientIdentity(configuration: GatewayConfiguration, secrets: SecretStore) throws(TLSMaterialError) -> TLSIdentity? {
        let certificateSetting = settings["client_cert_file"]
        let keySetting = settings["client_key_file"]
        if certificateSetting == nil, keySetting == nil { return nil }
        guard let certificateSetting, let keySetting else {
            let missing = certificateSetting == nil ? "client_cert_file" : "client_key_file"
            let present = certificateSetting == nil ? "client_key_file" : "client_cert_file"
            throw TLSMaterialError(
                .clientCertificateIncomplete, owner: name, key: missing,
                location: (certificateSetting ?? keySetting)?.source.description ?? location,
                problem: "'\(present)' is set but '\(missing)' is not: a client certificate needs both.",
                fix: "Set '\(missing)' too (\(envPrefix)\(missing.uppercased())), or remove '\(present)'.")
        }
        let resolve = { (key: String) throws(TLSMaterialError) -> PEMSource in
            guard
                let source = try PEMSource.of(
                    key, settings: settings, secretID: "\(name)/\(key)", secrets: secrets,
                    absolutePath: configuration.absolutePath, owner: name)
            else {
                throw TLSMaterialError(
                    .clientCertificateIncomplete, owner: name, key: key, location: location,
                    problem: "'\(key)' is not set.", fix: "Set '\(key)'.")
            }
            return source
        }
        return try TLSIdentity(
            certificate: try resolve("client_cert_file"), key: try resolve("client_key_file"),
            certificateKey: "client_cert_file", keyKey: "client_key_file",
            certificateLocation: certificateSetting.source.description, keyLocation: keySetting.source.description,
            owner: name)
    }
}
