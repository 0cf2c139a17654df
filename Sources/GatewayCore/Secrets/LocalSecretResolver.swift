import Foundation

/// Resolves `env://` (through the loaded env layers, so env files count) and `file://` references.
/// `openbao://` references are refused here: they need the OpenBao resolver. Under
/// `FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true` an `env://` reference resolves from the
/// process environment only: a value written in an env file is a literal secret in a file, which
/// require-ref refuses (generated env carries references, never payloads).
package struct LocalSecretResolver: Sendable {
    package var environment: EnvironmentLayers
    /// Relative `file://` paths are read relative to this directory.
    package var baseDirectory: String

    package init(environment: EnvironmentLayers, baseDirectory: String) {
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    package struct Failure: Error, Sendable, CustomStringConvertible {
        package var reference: SecretReference
        package var reason: String
        /// The value exists, but as a literal in an env file that require-ref refuses.
        package var literalRefused = false
        package var description: String { "\(reference) could not be resolved: \(reason)" }
    }

    package func resolve(_ reference: SecretReference) throws(Failure) -> SecretValue {
        switch reference {
        case let .environment(name):
            guard let found = environment.lookup(name) else {
                throw Failure(reference: reference, reason: "the variable \(name) is not set in the env files or the process environment")
            }
            if case let .envFile(_, path, line) = found.source, environment.requireReferenceForSensitive {
                throw Failure(
                    reference: reference,
                    reason:
                        "\(name) is a literal value in the env file \(path):\(line), and with \(EnvironmentLayers.requireRefVariable)=true an env:// reference resolves from the process environment only",
                    literalRefused: true)
            }
            let value = found.value
            guard !value.isEmpty else {
                throw Failure(reference: reference, reason: "the variable \(name) is set but empty")
            }
            return SecretValue(value)
        case let .file(path):
            let full = path.hasPrefix("/") ? path : baseDirectory + "/" + path
            guard let data = FileManager.default.contents(atPath: full) else {
                throw Failure(reference: reference, reason: "the file \(full) cannot be read")
            }
            guard var text = String(data: data, encoding: .utf8) else {
                throw Failure(reference: reference, reason: "the file \(full) is not UTF-8 text")
            }
            while let last = text.unicodeScalars.last, last == "\n" || last == "\r" {
                text.unicodeScalars.removeLast()
            }
            guard !text.isEmpty else { throw Failure(reference: reference, reason: "the file \(full) is empty") }
            return SecretValue(text)
        case .openBao:
            throw Failure(reference: reference, reason: "openbao:// references are read through OpenBao (SecretResolver), not locally")
        }
    }
}
