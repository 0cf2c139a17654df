import Synchronization

/// Resolves `openbao://<mount>/<path>#<field>[?version=N]` through KV v2. Within one `Session`
/// (a start, a validation, one refresh round) each (mount, path, version) is read once however
/// many fields are taken from it, and a failed login is not retried for every reference.
package struct OpenBaoSecretResolver: Sendable {
    package let client: OpenBaoClient

    package init(client: OpenBaoClient) {
        self.client = client
    }

    /// What one round of resolution has read so far.
    package final class Session: Sendable {
        struct Key: Hashable {
            var mount: String
            var path: String
            var version: Int?
        }
        struct State {
            var reads: [Key: Result<KVv2Secret, OpenBaoError>] = [:]
            var loginFailure: OpenBaoError?
            var readCount = 0
        }
        let state = Mutex(State())
        package init() {}

        /// OpenBao reads made in this session (one per distinct mount, path and version).
        package var readCount: Int { state.withLock { $0.readCount } }
    }

    package func resolve(
        mount: String, path: String, field: String, version: Int?, in session: Session
    ) async throws(OpenBaoError) -> SecretValue {
        let key = Session.Key(mount: mount, path: path, version: version)
        let what = "\(mount)/\(path)" + (version.map { " version \($0)" } ?? "")
        let secret: KVv2Secret
        switch session.state.withLock({ ($0.reads[key], $0.loginFailure) }) {
        case let (cached?, _):
            secret = try cached.get()
        case let (nil, failure?):
            throw failure
        case (nil, nil):
            do {
                _ = try await client.auth.token()
            } catch {
                session.state.withLock { $0.loginFailure = error }
                throw error
            }
            let result: Result<KVv2Secret, OpenBaoError>
            do {
                result = .success(try await client.read(mount: mount, path: path, version: version))
            } catch {
                result = .failure(error)
            }
            session.state.withLock {
                $0.reads[key] = result
                $0.readCount += 1
            }
            secret = try result.get()
        }
        return try secret.value(of: field, what: what)
    }
}
