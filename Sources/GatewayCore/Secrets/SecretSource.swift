/// What a sensitive key holds: a reference (the norm) or, where allowed, a literal value.
public enum SecretSource: Sendable, Hashable, CustomStringConvertible {
    case reference(SecretReference)
    case literal(SecretValue)

    /// Safe to print: the reference itself, or a marker for a literal.
    public var description: String {
        switch self {
        case let .reference(reference): return reference.description
        case .literal: return "<redacted literal>"
        }
    }

    public var reference: SecretReference? {
        if case let .reference(reference) = self { return reference }
        return nil
    }
}
