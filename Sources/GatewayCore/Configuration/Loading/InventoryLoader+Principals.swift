import Foundation
import Yams

extension InventoryLoader {
    // MARK: - Principals

    func loadPrincipals(
        _ gateway: Node.Mapping?, path: String, connectors: [String], requireRef: Bool, diagnostics: inout Diagnostics
    ) -> [Principal] {
        guard let gateway, let (keyNode, node) = gateway.first(where: { $0.key.string == "principals" }), !node.isNull else {
            return []
        }
        guard case let .sequence(entries) = node else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: "\(path):\(keyNode.line)", key: "principals",
                    problem: "'principals' must be a list but is \(node.kindName).",
                    fix: "Write each principal as '- name: worker' with 'token:' and 'connectors:'."))
            return []
        }
        var principals: [Principal] = []
        var seen: Set<String> = []
        for entry in entries {
            let location = "\(path):\(entry.line)"
            guard case let .mapping(mapping) = entry else {
                diagnostics.append(
                    ConfigIssue(
                        .wrongType, at: location, key: "principals", problem: "A principal is \(entry.kindName), not a mapping.",
                        fix: "Write '- name: worker' followed by 'token:' and 'connectors:'."))
                continue
            }
            let name = mapping.first { $0.key.string == "name" }?.value.string ?? "?"
            let label = "principal '\(name)'"
            let reader = SettingsReader(
                path: path, environment: environment, requireReference: requireRef, connector: label, envPrefix: "")
            let settings = reader.read(
                mapping, specs: CommonSettings.principal, handledElsewhere: ["connectors", "permissions", "pomerium", "temporal_namespaces"],
                into: &diagnostics)
            if !seen.insert(name).inserted {
                diagnostics.append(
                    ConfigIssue(
                        .duplicateName, at: location, connector: label, key: "name",
                        problem: "The principal name '\(name)' is used twice.", fix: "Give each principal a unique name."))
            }
            let allowed = stringList(mapping, "connectors", path: path, owner: label, diagnostics: &diagnostics)
            for connector in allowed.values where connector != "*" && !connectors.contains(connector) {
                diagnostics.append(
                    ConfigIssue(
                        .unknownPrincipalConnector, at: allowed.location, connector: label, key: "connectors",
                        problem:
                            "The principal may use '\(connector)', which is not in the inventory.\(Suggestion.didYouMean(connector, in: connectors))",
                        fix: "Use names from connector_inventory (\(connectors.joined(separator: ", "))) or \"*\" for all."))
            }
            let permissions = stringList(mapping, "permissions", path: path, owner: label, diagnostics: &diagnostics)
            for permission in permissions.values where !Principal.knownPermissions.contains(permission) {
                diagnostics.append(
                    ConfigIssue(
                        .invalidValue, at: permissions.location, connector: label, key: "permissions",
                        problem: "The permission '\(permission)' is not known.",
                        fix: "Use one of: \(Principal.knownPermissions.sorted().joined(separator: ", "))."))
            }
            let namespaces = temporalNamespaces(mapping, path: path, label: label, diagnostics: &diagnostics)
            let certificate = certificateMatch(settings, label: label, diagnostics: &diagnostics)
            let pomerium = pomeriumMatch(mapping, path: path, label: label, diagnostics: &diagnostics)
            let token = settings["token"].flatMap { setting in setting.value.secretValue.map { Sourced($0, from: setting.source) } }
            if settings["token"] == nil, pomerium == nil, !settings.ordered.contains(where: { $0.key.hasPrefix("certificate.") }),
                !mapping.contains(where: { $0.key.string == "pomerium" })
            {
                diagnostics.append(
                    ConfigIssue(
                        .principalWithoutCredential, at: location, connector: label, key: "token",
                        problem: "The principal has no way to authenticate: none of 'token', 'certificate' or 'pomerium' is set.",
                        fix:
                            "Add 'token:' with a reference (openbao://, env://, file://), 'certificate: {uri_san: spiffe://...}' (with gateway.tls.client_ca_file), or 'pomerium: {emails: [...]}' (with gateway.identity.pomerium)."
                    ))
            }
            guard token != nil || certificate != nil || pomerium != nil else { continue }
            let perSecond = settings["rate.requests_per_second"]?.value.integerValue
            for key in ["rate.burst", "rate.per_connector"] where perSecond == nil && settings[key]?.source.isDefaultValue == false {
                diagnostics.append(
                    ConfigIssue(
                        .invalidValue, at: location, connector: label, key: key,
                        problem: "\(key) is set without rate.requests_per_second.",
                        fix: "Add 'requests_per_second' under 'rate:', or remove '\(key.dropFirst(5))'."))
            }
            let rate = perSecond.map {
                Principal.Rate(
                    perSecond: $0, burst: settings["rate.burst"]?.value.integerValue ?? $0,
                    perConnector: settings[PrincipalKey.ratePerConnector])
            }
            principals.append(
                Principal(
                    name: name, location: location, token: token,
                    connectors: allowed.values, permissions: Set(permissions.values), rate: rate,
                    maxInFlight: settings["max_in_flight"]?.value.integerValue, maxTunnels: settings["max_tunnels"]?.value.integerValue,
                    certificate: certificate, pomerium: pomerium, namespaces: namespaces))
        }
        return principals
    }

    /// `temporal_namespaces: [default, "team-*"]`: exact names, prefixes with one trailing `*`,
    /// or `*`; nil when not set.
    private func temporalNamespaces(
        _ mapping: Node.Mapping, path: String, label: String, diagnostics: inout Diagnostics
    ) -> [String]? {
        guard mapping.contains(where: { $0.key.string == "temporal_namespaces" }) else { return nil }
        let list = stringList(mapping, "temporal_namespaces", path: path, owner: label, diagnostics: &diagnostics)
        for pattern in list.values where pattern.isEmpty || pattern.dropLast().contains("*") {
            diagnostics.append(
                ConfigIssue(
                    .invalidValue, at: list.location, connector: label, key: "temporal_namespaces",
                    problem: "'\(pattern)' is not a namespace pattern.",
                    fix: "Write namespace names, a prefix with one trailing '*' (team-*), or '*' for every namespace."))
        }
        return list.values
    }
}
