import Yams

extension InventoryLoader {
    /// A principal's `pomerium: {emails, groups}`; nil when absent or empty (`diagnostics` says why).
    func pomeriumMatch(_ mapping: Node.Mapping, path: String, label: String, diagnostics: inout Diagnostics) -> PomeriumMatch? {
        guard let (keyNode, node) = mapping.first(where: { $0.key.string == "pomerium" }), !node.isNull else { return nil }
        let location = "\(path):\(keyNode.line)"
        guard case let .mapping(inner) = node else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: location, connector: label, key: "pomerium",
                    problem: "'pomerium' must be a mapping but is \(node.kindName).",
                    fix: "Write 'pomerium: {emails: [ops@example.com], groups: [platform-operators]}'."))
            return nil
        }
        for (key, _) in inner where !["emails", "groups"].contains(key.string ?? "") {
            diagnostics.append(
                ConfigIssue(
                    .unknownKey, at: "\(path):\(key.line)", connector: label, key: "pomerium.\(key.string ?? "?")",
                    problem:
                        "The key 'pomerium.\(key.string ?? "?")' is not known.\(Suggestion.didYouMean(key.string ?? "", in: ["emails", "groups"]))",
                    fix: "Use 'emails' and 'groups' only."))
        }
        let emails = stringList(inner, "emails", path: path, owner: label, diagnostics: &diagnostics).values
        let groups = stringList(inner, "groups", path: path, owner: label, diagnostics: &diagnostics).values
        guard !emails.isEmpty || !groups.isEmpty else {
            diagnostics.append(
                ConfigIssue(
                    .invalidValue, at: location, connector: label, key: "pomerium",
                    problem: "'pomerium' lists no email and no group, so no assertion can match it.",
                    fix: "List 'emails' or 'groups' (or both), or remove 'pomerium'."))
            return nil
        }
        return PomeriumMatch(emails: emails, groups: groups)
    }

    /// `gateway.identity.pomerium` needs its issuer, JWKS URL and audience together, and
    /// Pomerium principals need it.
    func checkPomerium(_ settings: ResolvedSettings, principals: [Principal], path: String, diagnostics: inout Diagnostics) {
        let keys = ["identity.pomerium.issuer", "identity.pomerium.jwks_url", "identity.pomerium.audience"]
        let set = keys.compactMap { key in settings[key].map { (key, $0) } }
        if !set.isEmpty {
            for key in keys where settings[key] == nil {
                let variable = CommonSettings.gateway.first { $0.key == key }?.variable(prefix: "FRACTALOPS_")
                diagnostics.append(
                    ConfigIssue(
                        .requiredKey, at: set[0].1.source.description, key: "gateway.\(key)",
                        problem:
                            "gateway.identity.pomerium is set but '\(key)' is not: an assertion is checked against its issuer, its audience and the JWKS.",
                        fix: "Set gateway.\(key)\(variable.map { " (or \($0))" } ?? ""), or remove gateway.identity.pomerium."))
            }
        }
        guard set.count < keys.count else { return }
        for principal in principals where principal.pomerium != nil {
            diagnostics.append(
                ConfigIssue(
                    .requiredKey, at: principal.location, connector: "principal '\(principal.name)'", key: "pomerium",
                    problem: "The principal is matched by a Pomerium identity, but gateway.identity.pomerium is not configured.",
                    fix:
                        "Set gateway.identity.pomerium: {issuer, jwks_url, audience} (FRACTALOPS_POMERIUM_ISSUER, FRACTALOPS_POMERIUM_JWKS_URL), or remove 'pomerium'."
                ))
        }
    }
}
