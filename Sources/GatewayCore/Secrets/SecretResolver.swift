import AsyncHTTPClient

/// Resolves every kind of reference a configuration uses: `env://` and `file://` locally,
/// `openbao://` through OpenBao (when an address is configured; otherwise each such reference
/// fails with the reason). Built by the executable, which owns the `HTTPClient`.
package struct SecretResolver: Sendable {
    package let local: LocalSecretResolver
    /// Nil when OpenBao cannot be used; `openBaoProblem` then says why.
    package let openBao: OpenBaoSecretResolver?
    package let openBaoProblem: OpenBaoError?

    package init(local: LocalSecretResolver, openBao: OpenBaoSecretResolver?, openBaoProblem: OpenBaoError? = nil) {
        self.local = local
        self.openBao = openBao
        self.openBaoProblem = openBao == nil ? (openBaoProblem ?? OpenBaoError(.unconfigured, OpenBaoConfiguration.noAddress)) : nil
    }

    /// The resolver for `configuration`: its env layers and folder for local references, its
    /// `gateway.openbao:` section for OpenBao, over `httpClient`.
    package init(configuration: GatewayConfiguration, httpClient: HTTPClient) {
        let local = LocalSecretResolver(environment: configuration.environment, baseDirectory: configuration.baseDirectory)
        do {
            let client = try OpenBaoClient(
                configuration: OpenBaoConfiguration(configuration), httpClient: httpClient, environment: configuration.environment)
            self.init(local: local, openBao: OpenBaoSecretResolver(client: client))
        } catch {
            self.init(local: local, openBao: nil, openBaoProblem: error)
        }
    }

    /// Resolves `reference`, sharing OpenBao reads with the other references of `session`.
    package func resolve(_ reference: SecretReference, in session: OpenBaoSecretResolver.Session) async throws -> SecretValue {
        guard case let .openBao(mount, path, field, version) = reference else {
            return try local.resolve(reference)
        }
        guard let openBao else { throw openBaoProblem! }
        return try await openBao.resolve(mount: mount, path: path, field: field, version: version, in: session)
    }

    /// A resolving function with a fresh session, for `SecretStore.resolve(_:using:)`.
    package func session() -> @Sendable (SecretReference) async throws -> SecretValue {
        let session = OpenBaoSecretResolver.Session()
        return { reference in try await resolve(reference, in: session) }
    }
}
