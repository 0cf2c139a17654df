/// The `gateway.openbao:` settings as they were written (fallback variables are applied by
/// `OpenBaoConfiguration`).
extension GatewaySettings {
    public var openBaoAddress: Sourced<EndpointURL>? {
        settings["openbao.address"].flatMap { setting in setting.value.urlValue.map { Sourced($0, from: setting.source) } }
    }
    public var openBaoNamespace: String? { settings["openbao.namespace"]?.value.stringValue }
    public var openBaoCAFile: String? { settings["openbao.ca_file"]?.value.stringValue }
    public var openBaoVerifyTLS: Bool { settings[OpenBaoKey.verifyTLS] }
    public var openBaoTimeout: Double { settings[OpenBaoKey.timeout] }
    public var openBaoRefreshInterval: Double { settings[OpenBaoKey.refreshInterval] }
    public var openBaoAuthMethod: String { settings[OpenBaoKey.authMethod] }
    public var openBaoAuthMount: String? { settings["openbao.auth.mount"]?.value.stringValue }
    public var openBaoTokenFile: String? { settings["openbao.auth.token_file"]?.value.stringValue }
    public var openBaoRoleIDFile: String? { settings["openbao.auth.role_id_file"]?.value.stringValue }
    public var openBaoSecretIDFile: String? { settings["openbao.auth.secret_id_file"]?.value.stringValue }
    public var openBaoRole: String? { settings["openbao.auth.role"]?.value.stringValue }
    public var openBaoJWTFile: String? { settings["openbao.auth.jwt_file"]?.value.stringValue }
}
