/// The `gateway.openbao:` keys that always have a value.
enum OpenBaoKey {
    static let verifyTLS: Setting<Bool> = .bool(
        "openbao.verify_tls", env: .variable("FRACTALOPS_OPENBAO_VERIFY_TLS"), default: true,
        summary: "verify OpenBao's TLS certificate")
    static let timeout: Setting<Double> = .duration(
        "openbao.timeout", minimum: 0.1, env: .variable("FRACTALOPS_OPENBAO_TIMEOUT"), default: 10,
        summary: "per-request timeout for OpenBao calls")
    static let refreshInterval: Setting<Double> = .duration(
        "openbao.refresh_interval", minimum: 0, env: .variable("FRACTALOPS_OPENBAO_REFRESH_INTERVAL"), default: 300,
        summary: "how often openbao:// and file:// references are re-read while serving (0 turns it off)")
    static let authMethod: Setting<String> = .choice(
        "openbao.auth.method", OpenBaoConfiguration.AuthMethod.allNames, env: .variable("FRACTALOPS_OPENBAO_AUTH_METHOD"),
        default: OpenBaoConfiguration.AuthMethod.token.rawValue, summary: "token, approle or kubernetes")
}
