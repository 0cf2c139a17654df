/// A resolved secret. Its description, debug description and reflection all print `<redacted>`;
/// the only way to the bytes is `withUnredactedValue`, used where a credential is injected.
public struct SecretValue: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let storage: String

    public init(_ value: String) {
        self.storage = value
    }

    public func withUnredactedValue<T>(_ body: (String) throws -> T) rethrows -> T {
        try body(storage)
    }

    public var isEmpty: Bool { storage.isEmpty }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
