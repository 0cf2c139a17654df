/// A value together with the place it came from.
public struct Sourced<Value: Sendable>: Sendable {
    public var value: Value
    public var source: ValueSource

    public init(_ value: Value, from source: ValueSource) {
        self.value = value
        self.source = source
    }

    public func map<T: Sendable>(_ transform: (Value) throws -> T) rethrows -> Sourced<T> {
        Sourced<T>(try transform(value), from: source)
    }
}

extension Sourced: Equatable where Value: Equatable {}
extension Sourced: Hashable where Value: Hashable {}
