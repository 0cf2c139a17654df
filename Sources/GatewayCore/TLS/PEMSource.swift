import Foundation
import NIOSSL

/// Where a PEM setting's bytes come from: a file read when a TLS context is built (so a
/// rotated file is picked up by the next build), or a resolved secret (`file://`,
/// `openbao://`), re-read when secrets are refreshed.
package enum PEMSource: Sendable {
    case file(String)
    case secret(SecretValue)

    /// The source of `key` in `settings`: nil when the key is not set. `secretID` is the
    /// `SecretStore` key a reference was resolved under.
    static func of(
        _ key: String, settings: ResolvedSettings, secretID: String, secrets: SecretStore,
        absolutePath: (String) -> String, owner: String?
    ) throws(TLSMaterialError) -> PEMSource? {
        guard let setting = settings[key] else { return nil }
        if let path = setting.value.stringValue { return .file(absolutePath(path)) }
        // A file:// reference is read when the context is built, like a path, so a rotated
        // file is seen at once rather than at the next secret refresh.
        if case let .reference(.file(path))? = setting.value.secretValue { return .file(absolutePath(path)) }
        if setting.value.secretValue != nil {
            guard let value = secrets.values[secretID] else {
                throw TLSMaterialError(
                    .unresolvedReference, owner: owner, key: key, location: setting.source.description,
                    problem: "The reference in '\(key)' was not resolved.",
                    fix: "Make the reference resolvable (the file or the OpenBao field must exist).")
            }
            return .secret(value)
        }
        return nil
    }

    /// The PEM bytes. Errors name where they came from, never what they hold.
    func bytes(key: String, location: String, owner: String?) throws(TLSMaterialError) -> [UInt8] {
        switch self {
        case let .file(path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TLSMaterialError(
                    .clientCertificateUnusable, owner: owner, key: key, location: location,
                    problem: "The file \(path) cannot be read.",
                    fix: "Point '\(key)' at a readable PEM file (check the path and the gateway user's permissions).")
            }
            return Array(data)
        case let .secret(value):
            return value.withUnredactedValue { Array($0.utf8) + [0x0A] }
        }
    }
}
