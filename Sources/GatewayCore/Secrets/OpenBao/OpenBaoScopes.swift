import Foundation

/// The scopes `render-env --harden-refs` writes to (`--openbao-scope`, repeatable, or the
/// platform's `OPENBAO_SCOPES=connectors,connectors/daytona`) and which secret goes to which:
/// a scope whose last path segment names a connector (`secret/connectors/daytona`) takes that
/// connector's variables (`FRACTALOPS_DAYTONA_*`); everything else goes to the first scope.
package struct OpenBaoScopes: Sendable {
    /// In the order given; the first is where variables of no scoped connector go.
    package let hardeners: [EnvHardener]
    /// Scopes after the first whose last segment names no connector of the inventory: nothing
    /// is written to them (a platform's scope list may name connectors this inventory lacks).
    package let unused: [String]
    /// Connector env prefix (`FRACTALOPS_DAYTONA_`) -> index in `hardeners`.
    let connectorScopes: [(prefix: String, index: Int)]

    /// The comma-separated list form of `OPENBAO_SCOPES`: blanks around items are ignored.
    package static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `scopes` are `<mount>/<path>`, or paths under `mount` when one is given (the platform's
    /// scopes name paths, `connectors/daytona`, under its KV mount). `connectors` maps each
    /// connector name to its env prefix.
    package init(scopes: [String], mount: String? = nil, connectors: [(name: String, envPrefix: String)]) throws(EnvHardener.Failure) {
        guard !scopes.isEmpty else {
            throw EnvHardener.Failure(
                keys: [],
                description: "no OpenBao scope given: pass --openbao-scope <mount>/<path> (repeatable) or set OPENBAO_SCOPES=<scope>,<scope>")
        }
        if let mount, mount.isEmpty || mount.contains("/") || mount.contains("#") || mount.contains("?") {
            throw EnvHardener.Failure(
                keys: [], description: "--openbao-mount '\(mount)' is not the name of a KV v2 mount (one path segment, e.g. secret)")
        }
        var hardeners: [EnvHardener] = []
        for scope in scopes {
            let full = mount.map { "\($0)/\(scope.drop { $0 == "/" })" } ?? scope
            let hardener = try EnvHardener(scope: full)
            guard !hardeners.contains(where: { $0.scope == hardener.scope }) else {
                throw EnvHardener.Failure(keys: [], description: "the OpenBao scope \(hardener.scope) is given twice; give each scope once")
            }
            hardeners.append(hardener)
        }
        var connectorScopes: [(String, Int)] = []
        var unused: [String] = []
        for (index, hardener) in hardeners.enumerated() {
            let last = hardener.path.split(separator: "/").last.map(String.init) ?? hardener.path
            if let connector = connectors.first(where: { $0.name.lowercased() == last.lowercased() }) {
                if let other = connectorScopes.first(where: { $0.0 == connector.envPrefix }) {
                    throw EnvHardener.Failure(
                        keys: [],
                        description:
                            "the OpenBao scopes \(hardeners[other.1].scope) and \(hardener.scope) both name connector '\(connector.name)'; give one scope per connector"
                    )
                }
                connectorScopes.append((connector.envPrefix, index))
            } else if index > 0 {
                unused.append(hardener.scope)
            }
        }
        self.hardeners = hardeners
        self.unused = unused
        // Longest prefix first, so FRACTALOPS_NEXUS_SCIM_ is not read as FRACTALOPS_NEXUS_.
        self.connectorScopes = connectorScopes.sorted { $0.0.count > $1.0.count }.map { (prefix: $0.0, index: $0.1) }
    }

    /// The scope `key` is written to.
    package func hardener(for key: String) -> EnvHardener {
        let index = connectorScopes.first { key.hasPrefix($0.prefix) }?.index ?? 0
        return hardeners[index]
    }

    /// `entries` grouped by scope, in scope order, scopes without entries left out.
    package func assign(_ entries: [EnvProjection.Entry]) -> [(hardener: EnvHardener, entries: [EnvProjection.Entry])] {
        hardeners.compactMap { hardener in
            let mine = entries.filter { self.hardener(for: $0.key).scope == hardener.scope }
            return mine.isEmpty ? nil : (hardener, mine)
        }
    }

    /// Reads every scope first (a scope that cannot be read stops the run before any write),
    /// then writes each scope once, and returns the overlay of references. A failed write names
    /// the scopes already written.
    package func harden(_ entries: [EnvProjection.Entry], client: OpenBaoClient) async throws(EnvHardener.Failure) -> DotEnvFile {
        let groups = assign(entries)
        var current: [KVv2Secret] = []
        for group in groups {
            do {
                current.append(try await group.hardener.read(client: client))
            } catch {
                throw group.hardener.failure(entries.map(\.key), because: error, references: reference(for:))
            }
        }
        var written: [String] = []
        for (group, secret) in zip(groups, current) {
            do {
                try await group.hardener.write(group.entries, over: secret, client: client)
            } catch {
                let pending = groups.filter { !written.contains($0.hardener.scope) }.flatMap(\.entries).map(\.key)
                throw group.hardener.failure(pending, because: error, written: written, references: reference(for:))
            }
            written.append(group.hardener.scope)
        }
        return try overlay(for: entries.map(\.key))
    }

    /// `KEY=openbao://<scope>#KEY` for each key, each in its scope.
    package func overlay(for keys: [String]) throws(EnvHardener.Failure) -> DotEnvFile {
        let text = keys.map { DotEnvWriter.assignment($0, reference(for: $0).description) + "\n" }.joined()
        do {
            return try DotEnvFile(parsing: text, path: "references written to OpenBao at \(hardeners.map(\.scope).joined(separator: ", "))")
        } catch {
            throw EnvHardener.Failure(keys: keys, description: "the references do not form a valid env file: \(error.description)")
        }
    }

    package func reference(for key: String) -> SecretReference {
        hardener(for: key).reference(for: key)
    }

    /// The OpenBao failure of a run that could not even log in, listing every move.
    package func failure(_ keys: [String], because error: OpenBaoError) -> EnvHardener.Failure {
        hardener(for: keys.first ?? "").failure(keys, because: error, references: reference(for:))
    }
}
