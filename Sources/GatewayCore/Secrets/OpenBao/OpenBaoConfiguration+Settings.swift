extension OpenBaoConfiguration {
    /// Reads the `gateway.openbao:` section (already parsed and checked, env overrides applied)
    /// and, for what it leaves unset, the conventional `BAO_*`/`VAULT_*` variables. Relative
    /// paths are read from `baseDirectory` (the inventory's folder). Never fails: a missing or
    /// unusable address is reported when an `openbao://` reference is resolved.
    package init(settings: GatewaySettings, environment: EnvironmentLayers, baseDirectory: String) {
        func fallback(_ names: [String]) -> Sourced<String>? {
            for name in names { if let value = environment.lookup(name), !value.value.isEmpty { return value } }
            return nil
        }
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : baseDirectory + "/" + path }

        var address = settings.openBaoAddress?.value
        var problem: String?
        if address == nil, let text = fallback(["BAO_ADDR", "VAULT_ADDR"]) {
            do {
                address = try EndpointURL(parsing: text.value)
            } catch {
                problem =
                    "\(text.source) is not an absolute http:// or https:// URL (\(error)); set gateway.openbao.address or FRACTALOPS_OPENBAO_ADDR"
            }
        }
        let mount = settings.openBaoAuthMount
        let auth: Auth
        switch AuthMethod(rawValue: settings.openBaoAuthMethod) ?? .token {
        case .token:
            auth = .token(settings.openBaoTokenFile.map { .file(absolute($0)) } ?? .variables(Self.tokenVariables))
        case .appRole:
            auth = .appRole(
                mount: mount ?? "approle",
                roleID: settings.openBaoRoleIDFile.map { .file(absolute($0)) } ?? .variables(["FRACTALOPS_OPENBAO_ROLE_ID"]),
                secretID: settings.openBaoSecretIDFile.map { .file(absolute($0)) } ?? .variables(["FRACTALOPS_OPENBAO_SECRET_ID"]))
        case .kubernetes:
            auth = .kubernetes(
                mount: mount ?? "kubernetes", role: settings.openBaoRole,
                jwtFile: absolute(settings.openBaoJWTFile ?? Self.serviceAccountTokenFile))
        }
        self.init(
            address: address,
            namespace: settings.openBaoNamespace ?? fallback(["BAO_NAMESPACE", "VAULT_NAMESPACE"])?.value,
            caFile: (settings.openBaoCAFile ?? fallback(["BAO_CACERT", "VAULT_CACERT"])?.value).map(absolute),
            verifyTLS: settings.openBaoVerifyTLS,
            timeout: settings.openBaoTimeout,
            refreshInterval: settings.openBaoRefreshInterval,
            auth: auth)
        if let problem { self.addressProblem = problem }
    }

    /// The configuration of a loaded gateway configuration.
    package init(_ configuration: GatewayConfiguration) {
        self.init(
            settings: configuration.gateway, environment: configuration.environment,
            baseDirectory: configuration.baseDirectory)
    }
}
