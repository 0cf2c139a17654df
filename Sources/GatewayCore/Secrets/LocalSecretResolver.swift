import Foundation

/// Resolves `env://` (through the loaded env layers, so env files count) and `file://` references.
/// `openbao://` references are refused here: they need the OpenBao resolver.
public struct LocalSecretResolver: Sendable {
    public var environment: EnvironmentLayers
    /// Relative `file://` paths are read relative to this directory.
    public var baseDirectory: String

    public init(environment: EnvironmentLayers, baseDirectory: String) {
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var reference: SecretReference
        public var reason: String
        public var description: String { "\(reference) could not be resolved: \(reason)" }
    }

    public func resolve(_ reference: SecretReference) throws(Failure) -> SecretValue {
        switch reference {
        case let .environment(name):
            guard let value = environment.lookup(name)?.value else {
                throw Failure(reference: reference, reason: "the variable \(name) is not set in the env files or the process environment")
            }
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
