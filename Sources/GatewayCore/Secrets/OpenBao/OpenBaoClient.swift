import AsyncHTTPClient

/// The gateway's OpenBao connection: KV v2 reads and writes with the token `OpenBaoAuth` keeps,
/// the namespace header, and one retry with a fresh login when OpenBao refuses a token it may
/// have revoked.
package final class OpenBaoClient: Sendable {
    package let configuration: OpenBaoConfiguration
    package let auth: OpenBaoAuth
    let transport: any OpenBaoTransport

    package init(configuration: OpenBaoConfiguration, transport: any OpenBaoTransport, environment: EnvironmentLayers) {
        self.configuration = configuration
        self.transport = transport
        self.auth = OpenBaoAuth(
            method: configuration.auth, transport: transport, namespace: configuration.namespace,
            environment: environment)
    }

    /// A client over the shared `HTTPClient`. Fails when no address is configured or the CA
    /// file cannot be loaded.
    package convenience init(
        configuration: OpenBaoConfiguration, httpClient: HTTPClient, environment: EnvironmentLayers
    ) throws(OpenBaoError) {
        guard let address = configuration.address else {
            throw OpenBaoError(.unconfigured, configuration.addressProblem ?? OpenBaoConfiguration.noAddress)
        }
        let transport = try OpenBaoHTTPTransport(client: httpClient, configuration: configuration, address: address)
        self.init(configuration: configuration, transport: transport, environment: environment)
    }

    /// Sends an authenticated request; a 401/403 is retried once with a fresh login, since the
    /// token may have been revoked or replaced (a new token file, a new AppRole secret id).
    func send(_ request: OpenBaoRequest) async throws(OpenBaoError) -> OpenBaoResponse {
        let token = try await auth.token()
        let response = try await transport.send(request, headers: request.headers(namespace: configuration.namespace, token: token))
        guard response.status == 401 || response.status == 403, configuration.auth.method != .token || isTokenFile else {
            return response
        }
        await auth.invalidate()
        let fresh = try await auth.token()
        return try await transport.send(request, headers: request.headers(namespace: configuration.namespace, token: fresh))
    }

    private var isTokenFile: Bool {
        if case .token(.file) = configuration.auth { return true }
        return false
    }

    /// `GET /v1/<mount>/data/<path>[?version=N]`. A 404 that carries the metadata of a deleted
    /// version parses as a deleted secret.
    func read(mount: String, path: String, version: Int?) async throws(OpenBaoError) -> KVv2Secret {
        let request = OpenBaoRequest.kvRead(mount: mount, path: path, version: version)
        let response = try await send(request)
        if response.isSuccess { return try KVv2Secret(parsing: response.body, what: request.what) }
        if response.status == 404, let deleted = try? KVv2Secret(parsing: response.body, what: request.what), deleted.deleted {
            return deleted
        }
        throw OpenBaoError.classify(status: response.status, body: response.body, what: request.what)
    }

    /// The current fields of a secret for a merge, or an empty secret (version 0) when none exists.
    func readForUpdate(mount: String, path: String) async throws(OpenBaoError) -> KVv2Secret {
        do {
            let secret = try await read(mount: mount, path: path, version: nil)
            return secret.fields == nil ? KVv2Secret(fields: [:], version: secret.version ?? 0) : secret
        } catch  where error.code == .notFound && !error.message.contains("no such mount") {
            return KVv2Secret(fields: [:], version: 0)
        }
    }

    /// `POST /v1/<mount>/data/<path>` with `data`, check-and-set against `cas`.
    func write(mount: String, path: String, data: [String: JSONValue], cas: Int?) async throws(OpenBaoError) {
        let request = OpenBaoRequest.kvWrite(mount: mount, path: path, data: data, cas: cas)
        let response = try await send(request)
        guard response.isSuccess else {
            throw OpenBaoError.classify(
                status: response.status, body: response.body, what: request.what,
                redacting: data.values.compactMap(\.stringValue).map(SecretValue.init))
        }
    }
}
