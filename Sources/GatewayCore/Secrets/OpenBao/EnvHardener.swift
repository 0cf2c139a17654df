/// Hardens a generated env (`render-env --harden-refs --openbao-scope <mount>/<path>`): the
/// literal secrets it would hold are written to OpenBao, KV v2 at that scope, each as the field
/// named like its variable (merged with the fields already there, check-and-set against the
/// version read), and replaced in the output by `openbao://<mount>/<path>#<VARIABLE>`. Nothing
/// is written when OpenBao refuses: the failure lists the keys that need moving.
package struct EnvHardener: Sendable {
    package let mount: String
    package let path: String

    /// The variables that log the gateway in to OpenBao: they cannot live in OpenBao itself and
    /// are never moved (deliver them as files or in the process environment).
    package static let bootstrapVariables: Set<String> = Set(OpenBaoConfiguration.tokenVariables)
        .union(["FRACTALOPS_OPENBAO_ROLE_ID", "FRACTALOPS_OPENBAO_SECRET_ID"])

    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// The keys that still hold literal secrets.
        package var keys: [String]
        package var description: String
    }

    /// `scope` is `<mount>/<path>`, e.g. `secret/gateway/lab`.
    package init(scope: String) throws(Failure) {
        let parts = scope.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !scope.contains("#"), !scope.contains("?"),
            !parts[1].hasSuffix("/"), !parts[1].contains("//")
        else {
            throw Failure(
                keys: [],
                description:
                    "--openbao-scope '\(scope)' is not <mount>/<path> (e.g. secret/gateway/lab): the KV v2 secret the literal values are written to")
        }
        mount = String(parts[0])
        path = String(parts[1])
    }

    package var scope: String { "\(mount)/\(path)" }

    package func reference(for key: String) -> SecretReference {
        .openBao(mount: mount, path: path, field: key, version: nil)
    }

    /// The entries that can be moved: every literal but the OpenBao login variables.
    package static func movable(_ literals: [EnvProjection.Entry]) -> [EnvProjection.Entry] {
        literals.filter { !bootstrapVariables.contains($0.key) }
    }

    /// Writes `literals` to OpenBao in one write and returns the overlay that replaces them by
    /// references (to be applied after the other overlays).
    package func harden(_ literals: [EnvProjection.Entry], client: OpenBaoClient) async throws(Failure) -> DotEnvFile {
        guard !literals.isEmpty else { return try overlay(for: []) }
        do {
            try await write(literals, over: try await read(client: client), client: client)
        } catch {
            throw failure(literals.map(\.key), because: error)
        }
        return try overlay(for: literals.map(\.key))
    }

    /// The scope's current fields and version (version 0 and no fields when it does not exist):
    /// read before any scope is written, so a scope that cannot be read stops the run first.
    func read(client: OpenBaoClient) async throws(OpenBaoError) -> KVv2Secret {
        try await client.readForUpdate(mount: mount, path: path)
    }

    /// One write: `current`'s fields merged with `literals`, check-and-set against its version.
    func write(_ literals: [EnvProjection.Entry], over current: KVv2Secret, client: OpenBaoClient) async throws(OpenBaoError) {
        var fields = current.fields ?? [:]
        for entry in literals { fields[entry.key] = .string(entry.value) }
        try await client.write(mount: mount, path: path, data: fields, cas: current.version ?? 0)
    }

    /// `KEY=openbao://<mount>/<path>#KEY` for each key.
    package func overlay(for keys: [String]) throws(Failure) -> DotEnvFile {
        let text = keys.map { DotEnvWriter.assignment($0, reference(for: $0).description) + "\n" }.joined()
        do {
            return try DotEnvFile(parsing: text, path: "references written to OpenBao at \(scope)")
        } catch {
            throw Failure(keys: keys, description: "the references for \(scope) do not form a valid env file: \(error.description)")
        }
    }

    /// `written` lists the scopes already written in the same run (several scopes are written
    /// one after the other; OpenBao has no transaction across secrets).
    /// `references` says where each key goes when several scopes share the run.
    package func failure(
        _ keys: [String], because error: OpenBaoError, written: [String] = [], references: ((String) -> SecretReference)? = nil
    ) -> Failure {
        let moves = keys.map { "\($0) -> \(references?($0) ?? reference(for: $0))" }.joined(separator: "; ")
        let why: String
        switch error.code {
        case .forbidden:
            why = "the gateway's OpenBao token may not read and write \(mount)/data/\(path) (\(error.message))"
        default:
            why = error.message
        }
        let outcome =
            written.isEmpty
            ? "Nothing was written."
            : "Only \(written.joined(separator: ", ")) was written (a merge: running again after the fix is safe); nothing else, and not the output file."
        return Failure(
            keys: keys,
            description: """
                cannot move the literal secrets to OpenBao at \(scope): \(why). \(outcome) \
                These keys hold literal secrets and need moving: store each value in its scope \
                (<mount>/data/<path>) under the field of the same name and write the reference instead \
                (or grant the token read, create and update on \(mount)/data/\(path) and run again): \(moves).
                """)
    }
}
