/// Decides by name whether a key or variable holds a secret.
enum SensitiveKey {
    static let markers = [
        "token", "secret", "password", "passwd", "passphrase", "apikey", "privatekey",
        "credential", "accesskey", "authkey", "bearer", "cookie", "sessionkey", "signingkey",
        "managementkey", "secretkey", "masterkey", "encryptionkey", "clientkey", "licensekey", "adminkey",
    ]

    /// Names that mention a secret but hold something else: where it is or how it is sent.
    static let nonSecretSuffixes = ["header", "scheme", "file", "path", "url", "ttl", "enabled", "mode", "type", "name"]

    /// `api_key`, `X_API_KEY`, `scimToken`, `client-secret`, `FRACTALOPS_NEXUS_TOKEN` -> true;
    /// `credential_header`, `token_file`, `TOKEN_URL` -> false.
    static func isSensitive(_ name: String) -> Bool {
        let lower = name.lowercased()
        let folded = String(lower.filter { $0 != "_" && $0 != "-" && $0 != "." })
        if nonSecretSuffixes.contains(where: { folded.hasSuffix($0) }) { return false }
        return markers.contains { folded.contains($0) }
    }
}
