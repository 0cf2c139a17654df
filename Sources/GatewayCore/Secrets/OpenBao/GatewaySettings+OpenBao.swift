/// The `gateway.openbao:` settings as they were written (fallback variables are applied by
/// `OpenBaoConfiguration`).
extension GatewaySettings {
    package var openBaoAddress: Sourced<EndpointURL>? {
        settings["openbao.address"].flatMap { setting in setting.value.urlValue.map { Sourced($0, from: setting.source) } }
    }
    package var openBaoNamespace: String? { settings["openbao.namespace"]?.value.stringValue }
    package var openBaoCAFile: String? { settings["openbao.ca_file"]?.value.stringValue }
    package var openBaoVerifyTLS: Bool { settings[OpenBaoKey.verifyTLS] }
    package var openBaoTimeout: Double { settings[OpenBaoKey.timeout] }
    package var openBaoRefreshInterval: Double { settings[OpenBaoKey.refreshInterval] }
    package var openBaoAuthMethod: String { settings[OpenBaoKey.authMethod] }
    package var openBaoAuthMount: String? { settings["openbao.auth.mount"]?.value.stringValue }
    package var openBaoTokenFile: String? { settings["openbao.auth.token_file"]?.value.stringValue }
    package var openBaoRoleIDFile: String? { settings["openbao.auth.role_id_file"]?.value.stringValue }
    package var openBaoSecretIDFile: String? { settings["openbao.auth.secret_id_file"]?.value.stringValue }
    package var openBaoRole: String? { settings["openbao.auth.role"]?.value.stringValue }
    package var openBaoJWTFile: String? { settings["openbao.auth.jwt_file"]?.value.stringValue }
}
