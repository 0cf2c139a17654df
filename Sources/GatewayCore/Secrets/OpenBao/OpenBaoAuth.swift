import Foundation

/// The gateway's OpenBao token: read (token auth) or obtained by logging in (AppRole,
/// Kubernetes), renewed through `auth/token/renew-self` at two thirds of its lease when it is
/// renewable, and obtained again when it is not (or renewal fails). An actor: logins and
/// renewals are themselves network calls.
package actor OpenBaoAuth {
    struct Token: Sendable {
        var value: SecretValue
        var renewable: Bool
        /// Seconds the token lives from `obtained`; nil or 0 for a token that does not expire.
        var lease: Double?
        var obtained: ContinuousClock.Instant

        /// When to renew (or log in again): two thirds into the lease.
        var refreshAt: ContinuousClock.Instant? {
            guard let lease, lease > 0 else { return nil }
            return obtained + .milliseconds(Int64(lease * 1000 * 2 / 3))
        }
    }

    let method: OpenBaoConfiguration.Auth
    let transport: any OpenBaoTransport
    let namespace: String?
    let environment: EnvironmentLayers
    private var current: Token?
    private var pending: Task<Token, any Error>?

    package init(method: OpenBaoConfiguration.Auth, transport: any OpenBaoTransport, namespace: String?, environment: EnvironmentLayers) {
        self.method = method
        self.transport = transport
        self.namespace = namespace
        self.environment = environment
    }

    /// A token to send now: the current one, renewed or replaced first when it is due.
    package func token() async throws(OpenBaoError) -> SecretValue {
        if let current, !Self.isDue(current) { return current.value }
        return try await refresh().value
    }

    /// Forgets the token (after OpenBao refused it), so the next call logs in again.
    package func invalidate() {
        current = nil
    }

    /// Whether a login has happened (the renewer has nothing to do before).
    package var hasToken: Bool { current != nil }

    /// How long until the token needs renewing; nil when it never expires (or there is none).
    package func timeUntilRefresh() -> Duration? {
        guard let at = current?.refreshAt else { return nil }
        return max(.zero, at - .now)
    }

    /// Renews the token when it is due (or logs in again). What the renewer service calls.
    /// Returns true when something was done.
    @discardableResult
    package func maintain() async throws(OpenBaoError) -> Bool {
        guard let current, Self.isDue(current) else { return false }
        _ = try await refresh()
        return true
    }

    /// For tests: moves the current token's start back so that renewal is due now.
    func makeDueForTesting() {
        guard var token = current, let lease = token.lease, lease > 0 else { return }
        token.obtained = .now - .milliseconds(Int64(lease * 1000))
        current = token
    }

    static func isDue(_ token: Token) -> Bool {
        guard let at = token.refreshAt else { return false }
        return ContinuousClock.now >= at
    }

    /// Renews when renewable (falling back to a new login), logs in otherwise. Concurrent
    /// callers share one attempt.
    private func refresh() async throws(OpenBaoError) -> Token {
        if let pending { return try await Self.value(of: pending) }
        let previous = current
        let task = Task { [method, transport, namespace, environment] () async throws -> Token in
            if let previous, previous.renewable {
                if let renewed = try? await Self.renew(previous, transport: transport, namespace: namespace) {
                    return renewed
                }
            }
            return try await Self.login(method, transport: transport, namespace: namespace, environment: environment)
        }
        pending = task
        defer { pending = nil }
        let token = try await Self.value(of: task)
        current = token
        return token
    }

    private static func value(of task: Task<Token, any Error>) async throws(OpenBaoError) -> Token {
        do {
            return try await task.value
        } catch let error as OpenBaoError {
            throw error
        } catch {
            throw OpenBaoError(.unreachable, "the OpenBao login failed (\(error))")
        }
    }

    // MARK: - The calls

    static func login(
        _ method: OpenBaoConfiguration.Auth, transport: any OpenBaoTransport, namespace: String?,
        environment: EnvironmentLayers
    ) async throws(OpenBaoError) -> Token {
        switch method {
        case let .token(source):
            let (value, origin) = try read(
                source, what: "token", hint: "set gateway.openbao.auth.token_file (FRACTALOPS_OPENBAO_TOKEN_FILE) or FRACTALOPS_OPENBAO_TOKEN",
                environment: environment)
            return try await lookup(value, origin: origin, transport: transport, namespace: namespace)
        case let .appRole(mount, roleSource, secretSource):
            let (roleID, _) = try read(
                roleSource, what: "AppRole role id",
                hint: "set gateway.openbao.auth.role_id_file (FRACTALOPS_OPENBAO_ROLE_ID_FILE) or FRACTALOPS_OPENBAO_ROLE_ID",
                environment: environment)
            let (secretID, _) = try read(
                secretSource, what: "AppRole secret id",
                hint: "set gateway.openbao.auth.secret_id_file (FRACTALOPS_OPENBAO_SECRET_ID_FILE) or FRACTALOPS_OPENBAO_SECRET_ID",
                environment: environment)
            return try await loginCall(.appRoleLogin(mount: mount, roleID: roleID, secretID: secretID), transport: transport, namespace: namespace)
        case let .kubernetes(mount, role, jwtFile):
            guard let role, !role.isEmpty else {
                throw OpenBaoError(.unconfigured, "Kubernetes login needs the OpenBao role: set gateway.openbao.auth.role or FRACTALOPS_OPENBAO_ROLE")
            }
            let (jwt, _) = try read(
                .file(jwtFile), what: "service account token",
                hint: "set gateway.openbao.auth.jwt_file (FRACTALOPS_OPENBAO_JWT_FILE) to the projected service account token",
                environment: environment)
            return try await loginCall(.kubernetesLogin(mount: mount, role: role, jwt: jwt), transport: transport, namespace: namespace)
        }
    }

    /// Token auth: checks the token and learns its TTL through `lookup-self`.
    static func lookup(
        _ value: SecretValue, origin: String, transport: any OpenBaoTransport, namespace: String?
    ) async throws(OpenBaoError) -> Token {
        let request = OpenBaoRequest.lookupSelf
        let response = try await transport.send(request, headers: request.headers(namespace: namespace, token: value))
        let started = ContinuousClock.now
        guard response.isSuccess else {
            if response.status == 403 || response.status == 401 {
                throw OpenBaoError(
                    .forbidden,
                    "OpenBao refused the token from \(origin) (\(response.status) permission denied on auth/token/lookup-self): it is wrong, expired or revoked",
                    status: response.status)
            }
            throw OpenBaoError.classify(status: response.status, body: response.body, what: request.what, redacting: [value])
        }
        let data = JSONValue.parse(response.body)?["data"]
        return Token(
            value: value, renewable: data?["renewable"]?.boolValue ?? false,
            lease: data?["ttl"]?.numberValue, obtained: started)
    }

    /// AppRole and Kubernetes logins: the token is at `auth.client_token`.
    static func loginCall(_ request: OpenBaoRequest, transport: any OpenBaoTransport, namespace: String?) async throws(OpenBaoError) -> Token {
        let started = ContinuousClock.now
        let response = try await transport.send(request, headers: request.headers(namespace: namespace, token: nil))
        guard response.isSuccess else {
            var error = OpenBaoError.classify(status: response.status, body: response.body, what: request.what, redacting: request.credentials)
            if error.code == .rejected || error.code == .forbidden { error.code = .loginFailed }
            throw error
        }
        return try token(fromAuth: response, what: request.what, obtained: started)
    }

    static func renew(_ token: Token, transport: any OpenBaoTransport, namespace: String?) async throws(OpenBaoError) -> Token {
        let request = OpenBaoRequest.renewSelf
        let started = ContinuousClock.now
        let response = try await transport.send(request, headers: request.headers(namespace: namespace, token: token.value))
        guard response.isSuccess else {
            throw OpenBaoError.classify(status: response.status, body: response.body, what: request.what, redacting: [token.value])
        }
        var renewed = try Self.token(fromAuth: response, what: request.what, obtained: started)
        renewed.value = token.value
        return renewed
    }

    static func token(fromAuth response: OpenBaoResponse, what: String, obtained: ContinuousClock.Instant) throws(OpenBaoError) -> Token {
        guard let auth = JSONValue.parse(response.body)?["auth"], let value = auth["client_token"]?.stringValue, !value.isEmpty else {
            throw OpenBaoError(.badResponse, "OpenBao's answer to \(what) has no auth.client_token")
        }
        return Token(
            value: SecretValue(value), renewable: auth["renewable"]?.boolValue ?? false,
            lease: auth["lease_duration"]?.numberValue, obtained: obtained)
    }

    /// Reads a login credential from its file or variables (trailing whitespace removed), and
    /// says where it came from (`the file /run/bao-token`, `BAO_TOKEN from the process environment`).
    static func read(
        _ source: OpenBaoConfiguration.CredentialSource, what: String, hint: String, environment: EnvironmentLayers
    ) throws(OpenBaoError) -> (SecretValue, String) {
        switch source {
        case let .file(path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw OpenBaoError(.credentialMissing, "the OpenBao \(what) file \(path) cannot be read; \(hint)")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else {
                throw OpenBaoError(.credentialMissing, "the OpenBao \(what) file \(path) is empty; \(hint)")
            }
            return (SecretValue(trimmed), "the file \(path)")
        case let .variables(names):
            for name in names {
                if let found = environment.lookup(name) {
                    let value = found.value.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !value.isEmpty { return (SecretValue(value), found.source.description) }
                }
            }
            throw OpenBaoError(
                .credentialMissing, "no OpenBao \(what): \(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") not set; \(hint)")
        }
    }
}
