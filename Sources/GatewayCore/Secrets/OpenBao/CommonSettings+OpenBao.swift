extension CommonSettings {
    /// The `gateway.openbao:` section: where OpenBao is, how the gateway logs in, how often
    /// references are re-read. `BAO_ADDR`/`VAULT_ADDR`, `BAO_NAMESPACE`/`VAULT_NAMESPACE` and
    /// `BAO_CACERT`/`VAULT_CACERT` are read as fallbacks when neither the key nor its
    /// `FRACTALOPS_OPENBAO_*` variable is set (see `OpenBaoConfiguration`).
    static let openBao: [SettingSpec] = [
        SettingSpec(
            "openbao.address", .url, env: .variable("FRACTALOPS_OPENBAO_ADDR"),
            summary: "OpenBao's address, e.g. https://openbao.internal:8200 (fallbacks: BAO_ADDR, VAULT_ADDR)"),
        SettingSpec(
            "openbao.namespace", .string, env: .variable("FRACTALOPS_OPENBAO_NAMESPACE"),
            summary: "sent as X-Vault-Namespace (fallbacks: BAO_NAMESPACE, VAULT_NAMESPACE)"),
        SettingSpec(
            "openbao.ca_file", .path, env: .variable("FRACTALOPS_OPENBAO_CA_FILE"),
            summary: "PEM bundle of the CA that issued OpenBao's certificate (fallbacks: BAO_CACERT, VAULT_CACERT)"),
        OpenBaoKey.verifyTLS.spec,
        OpenBaoKey.timeout.spec,
        OpenBaoKey.refreshInterval.spec,
        OpenBaoKey.authMethod.spec,
        SettingSpec(
            "openbao.auth.mount", .string, env: .variable("FRACTALOPS_OPENBAO_AUTH_MOUNT"),
            summary: "where the login method is mounted (default: approle or kubernetes)"),
        SettingSpec(
            "openbao.auth.token_file", .path, env: .variable("FRACTALOPS_OPENBAO_TOKEN_FILE"),
            summary: "token auth: a file holding the token (else FRACTALOPS_OPENBAO_TOKEN, BAO_TOKEN, VAULT_TOKEN)"),
        SettingSpec(
            "openbao.auth.role_id_file", .path, env: .variable("FRACTALOPS_OPENBAO_ROLE_ID_FILE"),
            summary: "AppRole: a file holding the role id (else FRACTALOPS_OPENBAO_ROLE_ID)"),
        SettingSpec(
            "openbao.auth.secret_id_file", .path, env: .variable("FRACTALOPS_OPENBAO_SECRET_ID_FILE"),
            summary: "AppRole: a file holding the secret id (else FRACTALOPS_OPENBAO_SECRET_ID)"),
        SettingSpec(
            "openbao.auth.role", .string, env: .variable("FRACTALOPS_OPENBAO_ROLE"),
            summary: "Kubernetes: the OpenBao role to log in as"),
        SettingSpec(
            "openbao.auth.jwt_file", .path, env: .variable("FRACTALOPS_OPENBAO_JWT_FILE"),
            summary: "Kubernetes: the service account token file (default: \(OpenBaoConfiguration.serviceAccountTokenFile))"),
    ]
}
