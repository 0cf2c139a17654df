/// Why a key's value is a literal secret where a reference belongs: what `render-env
/// --harden-refs` moves to OpenBao, what require-ref refuses and what `gateway audit` reports.
/// It names the key and the reason, never the value.
package enum LiteralSecret: Sendable, Hashable, CustomStringConvertible {
    /// A key named like a secret (or a credential setting) holds a value that is not a reference.
    case sensitiveKey
    /// The value is a URL carrying a credential.
    case credentialURL([CredentialURL.Carrier])

    /// Nil when `value` is fine where it is: empty, a reference, a boolean, or neither a
    /// sensitive key's value nor a credential-bearing URL. `declaredSecret` marks a variable a
    /// connector kind declares as its credential, whatever its name says.
    package static func classify(key: String, value: String, declaredSecret: Bool = false) -> LiteralSecret? {
        guard !value.isEmpty, key != EnvironmentLayers.requireRefVariable else { return nil }
        let carriers = CredentialURL.carriers(in: value)
        if !carriers.isEmpty { return .credentialURL(carriers) }
        guard declaredSecret || SensitiveKey.isSensitive(key), !SecretReference.looksLikeReference(value) else { return nil }
        // A switch (`..._TOKEN_REQUIRED=true`) is not a secret.
        if ["true", "false"].contains(value.lowercased()) { return nil }
        return .sensitiveKey
    }

    package var description: String {
        switch self {
        case .sensitiveKey:
            return "a sensitive key holds a literal value"
        case let .credentialURL(carriers):
            return "a URL carries a credential in \(carriers.map(\.description).joined(separator: " and "))"
        }
    }

    /// What to write instead.
    package var fix: String {
        switch self {
        case .sensitiveKey:
            return
                "Store the value in OpenBao and write its reference (openbao://<mount>/<path>#<field>) instead, e.g. with gateway render-env --harden-refs."
        case .credentialURL:
            return
                "Store the whole URL in OpenBao and write its reference (openbao://<mount>/<path>#<field>) instead, or take the credential out of the URL into a key of its own."
        }
    }
}
