import Foundation
import Yams

/// Reads one mapping of the inventory (a connector entry, the `gateway:` section or a principal)
/// against declared settings, applying env overrides, and collects every problem it finds.
struct SettingsReader {
    var path: String
    var environment: EnvironmentLayers
    var requireReference: Bool
    /// For messages: the connector (or `gateway`, or `principal 'x'`).
    var connector: String?
    /// Env prefix for `.suffix` bindings, e.g. `FRACTALOPS_LANGBOARD_`.
    var envPrefix: String
    /// A platform topology file's connector entries carry other tools' keys too: keys the
    /// gateway does not know are warnings there (and ignored), errors in `connectors.yaml`.
    var unknownKeysAreWarnings = false

    /// Reads `mapping` (nil when absent). Keys in `handledElsewhere` are skipped silently.
    func read(
        _ mapping: Node.Mapping?, specs: [SettingSpec], handledElsewhere: Set<String> = [],
        into diagnostics: inout Diagnostics
    ) -> ResolvedSettings {
        let specByKey = Dictionary(specs.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var yamlValues: [String: (line: Int, value: Node)] = [:]
        if let mapping {
            collect(
                mapping, group: nil, specs: specByKey, handledElsewhere: handledElsewhere,
                into: &yamlValues, diagnostics: &diagnostics)
        }
        var settings = ResolvedSettings()
        for spec in specs {
            if let variable = spec.variable(prefix: envPrefix), let text = environment.lookup(variable) {
                if let value = parse(text.value, spec: spec, at: text.source, node: nil, diagnostics: &diagnostics) {
                    settings.set(spec.key, Sourced(value, from: text.source))
                }
            } else if let (line, node) = yamlValues[spec.key] {
                let source = ValueSource.file(path: path, line: line)
                if let text = scalarText(node, spec: spec, source: source, diagnostics: &diagnostics),
                    let value = parse(text, spec: spec, at: source, node: node, diagnostics: &diagnostics)
                {
                    settings.set(spec.key, Sourced(value, from: source))
                }
            } else if let value = spec.defaultValue {
                settings.set(spec.key, Sourced(value, from: .defaultValue(nil)))
            } else if spec.required {
                diagnostics.append(
                    ConfigIssue(
                        .requiredKey, at: mapping.map { "\(path):\(Node.mapping($0).line)" } ?? path,
                        connector: connector, key: spec.key,
                        problem: "The key '\(spec.key)' is required (\(spec.summary)) but is not set.",
                        fix: "Add '\(spec.key)' with \(spec.type.expectation)"
                            + (spec.variable(prefix: envPrefix).map { ", or set \($0)" } ?? "") + "."))
            }
        }
        return settings
    }

    // MARK: - Walking the mapping

    private func collect(
        _ mapping: Node.Mapping, group: String?, specs: [String: SettingSpec], handledElsewhere: Set<String>,
        into values: inout [String: (line: Int, value: Node)], diagnostics: inout Diagnostics
    ) {
        // Every dotted prefix of a declared key is a group: `health`, `openbao`, `openbao.auth`.
        let groups = Set(
            specs.keys.flatMap { key in
                key.indices.filter { key[$0] == "." }.map { String(key[..<$0]) }
            })
        var seen: [String: Int] = [:]
        for (keyNode, valueNode) in mapping {
            guard case let .scalar(keyScalar) = keyNode else {
                diagnostics.append(
                    ConfigIssue(
                        .wrongType, at: "\(path):\(keyNode.line)", connector: connector,
                        problem: "A key is \(keyNode.kindName), not a name.", fix: "Use plain names as keys."))
                continue
            }
            let key = keyScalar.string
            let fullKey = group.map { "\($0).\(key)" } ?? key
            let location = "\(path):\(keyNode.line)"
            if let earlier = seen[key] {
                diagnostics.append(
                    ConfigIssue(
                        .yamlDuplicateKey, at: location, connector: connector, key: fullKey,
                        problem: "The key '\(fullKey)' is set twice (first at line \(earlier)); YAML would silently keep only one.",
                        fix: "Remove one of the two lines."))
                continue
            }
            seen[key] = keyNode.line
            if group == nil, handledElsewhere.contains(key) { continue }
            if specs[fullKey] == nil, CommonSettings.rawInfraSelectors.contains(key.lowercased()) {
                diagnostics.append(
                    ConfigIssue(
                        .rawInfraSelector, at: location, connector: connector, key: fullKey,
                        problem: "'\(key)' is a raw infrastructure selector; the control vocabulary is the runtime asset.\(Self.temporalHint(key))",
                        fix: "Remove '\(key)' and describe the target as runtime_asset: {id: ..., role: ...}.\(Self.temporalFix(key))"))
                continue
            }
            if group == nil, CommonSettings.fallbackKeys.contains(key.lowercased()) {
                diagnostics.append(
                    ConfigIssue(
                        .noFallback, at: location, connector: connector, key: fullKey,
                        problem:
                            "'\(key)' asks for a fallback, but machine traffic uses the executor URL only and never falls back to the public or internal URL.",
                        fix: "Remove '\(key)'; set executor_url to the machine path (or leave it unset to have no machine route)."))
                continue
            }
            if groups.contains(fullKey) {
                if valueNode.isNull { continue }
                guard case let .mapping(inner) = valueNode else {
                    diagnostics.append(
                        ConfigIssue(
                            .wrongType, at: location, connector: connector, key: fullKey,
                            problem: "'\(fullKey)' must be a mapping but is \(valueNode.kindName).",
                            fix:
                                "Write it as '\(key): {\(specs.keys.filter { $0.hasPrefix(fullKey + ".") }.sorted().map { String($0.dropFirst(fullKey.count + 1)) + ": ..." }.joined(separator: ", "))}'."
                        ))
                    continue
                }
                collect(inner, group: fullKey, specs: specs, handledElsewhere: handledElsewhere, into: &values, diagnostics: &diagnostics)
                continue
            }
            if specs[fullKey] != nil {
                values[fullKey] = (keyNode.line, valueNode)
                continue
            }
            let candidates: [String]
            if let group {
                candidates = Array(
                    Set(
                        specs.keys.filter { $0.hasPrefix(group + ".") }.map {
                            String($0.dropFirst(group.count + 1).split(separator: ".")[0])
                        }))
            } else {
                candidates = Array(Set(specs.keys.map { String($0.split(separator: ".")[0]) }).union(handledElsewhere))
            }
            let suggestion = Suggestion.didYouMean(key, in: candidates)
            if unknownKeysAreWarnings {
                diagnostics.append(
                    ConfigIssue(
                        .unknownKey, severity: .warning, at: location, connector: connector, key: fullKey,
                        problem: "The key '\(fullKey)' is not known to the gateway and is ignored in this topology file.\(suggestion)",
                        fix:
                            "Keep it if another tool reads it; a key meant for the gateway is one of: \(candidates.sorted().joined(separator: ", "))."
                    ))
                continue
            }
            diagnostics.append(
                ConfigIssue(
                    .unknownKey, at: location, connector: connector, key: fullKey,
                    problem: "The key '\(fullKey)' is not known here.\(suggestion)",
                    fix: "Use one of: \(candidates.sorted().joined(separator: ", "))."))
        }
    }

    // MARK: - Values

    /// The text of a scalar node, with the YAML-level checks (type of node, quoted booleans).
    private func scalarText(
        _ node: Node, spec: SettingSpec, source: ValueSource, diagnostics: inout Diagnostics
    ) -> String? {
        guard case let .scalar(scalar) = node else {
            diagnostics.append(
                ConfigIssue(
                    .wrongType, at: source.description, connector: connector, key: spec.key,
                    problem: "'\(spec.key)' must be \(spec.type.expectation) but is \(node.kindName).",
                    fix: "Write a single value: \(spec.key): <\(spec.type.expectation)>."))
            return nil
        }
        if node.isNull { return nil }
        if spec.type == .bool, scalar.style != .plain {
            diagnostics.append(
                ConfigIssue(
                    .invalidBool, at: source.description, connector: connector, key: spec.key,
                    problem: "'\(spec.key)' is the quoted string \"\(DotEnvFile.excerpt(scalar.string))\", not a boolean.",
                    fix: "Write true or false without quotes."))
            return nil
        }
        return scalar.string
    }

    /// Parses the text of a setting; appends an issue and returns nil when it is invalid.
    func parse(
        _ text: String, spec: SettingSpec, at source: ValueSource, node: Node?, diagnostics: inout Diagnostics
    ) -> SettingValue? {
        let location = source.description
        let shown =
            spec.type == .secret || spec.type == .pemFile || SensitiveKey.isSensitive(spec.key)
            ? "<redacted>" : "'\(DotEnvFile.excerpt(Self.withoutUserInfo(text)))'"
        func fail(_ code: ConfigIssue.Code, _ why: String, fix: String? = nil) -> SettingValue? {
            diagnostics.append(
                ConfigIssue(
                    code, at: location, connector: connector, key: spec.key,
                    problem: "\(shown) is not valid for '\(spec.key)': \(why)" + (why.hasSuffix("?") ? "" : "."),
                    fix: fix ?? "Write \(spec.type.expectation)."))
            return nil
        }
        let value: SettingValue
        switch spec.type {
        case .string:
            guard !text.isEmpty else { return fail(.invalidValue, "it is empty", fix: "Remove the key or give it a value.") }
            value = .string(text)
        case .url:
            do { value = .url(try EndpointURL(parsing: text)) } catch { return fail(.invalidURL, error.description) }
        case .host:
            guard !text.isEmpty, !text.contains("/"), !text.contains(where: { $0.isWhitespace || $0 == "@" }) else {
                return fail(.invalidValue, "it is not a host name", fix: "Write a bare host name such as langboard.internal (a :port is allowed).")
            }
            value = .string(text)
        case .bool:
            guard let flag = node == nil ? BoolParser.parse(text) : Self.yamlBool(text) else {
                return fail(
                    .invalidBool, "it is not a boolean",
                    fix: node == nil ? "Write true or false (1/0 and yes/no are accepted in env files)." : "Write true or false.")
            }
            value = .bool(flag)
        case let .integer(range):
            guard let number = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(number) else {
                return fail(.invalidNumber, "it is not \(spec.type.expectation)")
            }
            value = .integer(number)
        case .fraction:
            guard let number = Double(text), number.isFinite, (0...1).contains(number) else {
                return fail(.invalidNumber, "it is not \(spec.type.expectation)")
            }
            value = .number(number)
        case let .duration(minimum):
            guard let seconds = DurationParser.seconds(from: text) else {
                return fail(.invalidDuration, "it is not a duration")
            }
            guard seconds >= minimum else {
                return fail(.invalidDuration, "it is shorter than the minimum of \(DurationParser.format(minimum))")
            }
            value = .duration(seconds: seconds)
        case let .address(allowAnyPort):
            guard let address = HostPort(parsing: text, allowAnyPort: allowAnyPort) else {
                return fail(.invalidAddress, "it is not host:port", fix: "Write host:port, e.g. 127.0.0.1:7233 (no scheme, no path).")
            }
            value = .address(address)
        case .path:
            guard !text.isEmpty else { return fail(.invalidValue, "it is empty") }
            value = .string(text)
        case .pemFile:
            guard !text.isEmpty else { return fail(.invalidValue, "it is empty") }
            if SecretReference.looksLikeReference(text) {
                do {
                    value = .secret(.reference(try SecretReference(parsing: text)))
                } catch {
                    return fail(
                        .invalidReference, "the reference is not valid: \(error.description)",
                        fix: "Write a path, file://PATH or openbao://<mount>/<path>#<field>.")
                }
            } else if text.contains("-----BEGIN") {
                diagnostics.append(
                    ConfigIssue(
                        .literalSecretRefused, at: location, connector: connector, key: spec.key,
                        problem: "'\(spec.key)' holds PEM text itself, not a file or a reference.",
                        fix: "Write the PEM to a file and give its path, or store it in OpenBao and write openbao://<mount>/<path>#<field>."))
                return nil
            } else {
                value = .string(text)
            }
        case .httpPath:
            guard text.hasPrefix("/"), !text.contains(where: { $0.isWhitespace }) else {
                return fail(.invalidValue, "it does not start with '/'")
            }
            value = .string(text)
        case let .choice(values):
            guard values.contains(text) else {
                let code: ConfigIssue.Code = spec.key.hasSuffix("_mode") ? .unknownMode : .invalidValue
                let suggestion = Suggestion.didYouMean(text, in: values)
                return fail(
                    code,
                    "it is not one of \(values.joined(separator: ", "))"
                        + (suggestion.isEmpty ? "" : "." + suggestion), fix: "Use one of: \(values.joined(separator: ", ")).")
            }
            value = .string(text)
        case .secret:
            guard let secret = secretSource(text, spec: spec, location: location, diagnostics: &diagnostics) else { return nil }
            value = .secret(secret)
        }
        if source.isInventoryFile, let host = Self.host(of: value, type: spec.type), CommonSettings.isClusterInternal(host: host) {
            let variable = spec.variable(prefix: envPrefix)
            diagnostics.append(
                ConfigIssue(
                    .clusterInternalHost, at: location, connector: connector, key: spec.key,
                    problem:
                        "The inventory default names the cluster-internal host '\(host)'; such names are implementation detail and must not be defaults.",
                    fix: variable.map { "Remove it from the inventory and deliver it through the generated env as \($0)." }
                        ?? "Remove it from the inventory and deliver it through the generated env."))
        }
        return value
    }

    private func secretSource(
        _ text: String, spec: SettingSpec, location: String, diagnostics: inout Diagnostics
    ) -> SecretSource? {
        if SecretReference.looksLikeReference(text) {
            do {
                return .reference(try SecretReference(parsing: text))
            } catch {
                diagnostics.append(
                    ConfigIssue(
                        .invalidReference, at: location, connector: connector, key: spec.key,
                        problem: "The secret reference is not valid: \(error.description).",
                        fix: "Write openbao://<mount>/<path>#<field>, env://NAME or file://PATH."))
                return nil
            }
        }
        guard !text.isEmpty else {
            diagnostics.append(
                ConfigIssue(
                    .invalidReference, at: location, connector: connector, key: spec.key,
                    problem: "The secret is empty.", fix: "Set a reference such as \(exampleReference(for: spec.key))."))
            return nil
        }
        if requireReference {
            diagnostics.append(
                ConfigIssue(
                    .literalSecretRefused, at: location, connector: connector, key: spec.key,
                    problem:
                        "'\(spec.key)' holds a literal secret, and \(EnvironmentLayers.requireRefVariable)=true refuses literals for sensitive keys.",
                    fix: "Store the value in OpenBao and write its reference, e.g. \(exampleReference(for: spec.key))."))
            return nil
        }
        diagnostics.append(
            ConfigIssue(
                .literalSecret, severity: .warning, at: location, connector: connector, key: spec.key,
                problem: "'\(spec.key)' holds a literal secret instead of a reference.",
                fix: "Move it to OpenBao and write openbao://... here; set \(EnvironmentLayers.requireRefVariable)=true to refuse literals."))
        return .literal(SecretValue(text))
    }

    /// `https://user:pw@host` -> `https://<redacted>@host`: credentials in a URL are never echoed.
    static func withoutUserInfo(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let authorityEnd = text[scheme.upperBound...].firstIndex(of: "/") ?? text.endIndex
        guard let at = text[scheme.upperBound..<authorityEnd].lastIndex(of: "@") else { return text }
        return text[..<scheme.upperBound] + "<redacted>" + text[at...]
    }

    /// An example reference for a message: `openbao://secret/connectors/<name>#<field>`.
    func exampleReference(for key: String) -> String {
        let field = key.split(separator: ".").last.map(String.init) ?? "token"
        if let connector, connector.hasPrefix("principal '") {
            let name = connector.dropFirst("principal '".count).dropLast()
            return "openbao://secret/gateway/principals#\(name)"
        }
        return "openbao://secret/connectors/\(connector ?? "<name>")#\(field)"
    }

    static func yamlBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func host(of value: SettingValue, type: SettingType) -> String? {
        switch value {
        case let .url(url): return url.host
        case let .address(address): return address.host
        case let .string(text) where type == .host:
            return HostPort(parsing: text)?.host ?? text
        default: return nil
        }
    }

    /// The rule is about infrastructure namespaces (Kubernetes, ...); a Temporal namespace is
    /// something else, and is said elsewhere.
    static func temporalHint(_ key: String) -> String {
        key.lowercased() == "namespace" ? " The rule is about infrastructure namespaces; a Temporal namespace is not one." : ""
    }

    static func temporalFix(_ key: String) -> String {
        key.lowercased() == "namespace"
            ? " To limit a principal to Temporal namespaces, give the principal temporal_namespaces: [default, ...]." : ""
    }
}
