/// Effective settings keyed by their dotted name, in declaration order, each with its source.
public struct ResolvedSettings: Sendable {
    public private(set) var values: [String: Sourced<SettingValue>] = [:]
    public private(set) var order: [String] = []

    public init() {}

    public subscript(key: String) -> Sourced<SettingValue>? { values[key] }

    public mutating func set(_ key: String, _ value: Sourced<SettingValue>) {
        if values[key] == nil { order.append(key) }
        values[key] = value
    }

    public mutating func remove(_ key: String) {
        values[key] = nil
        order.removeAll { $0 == key }
    }

    /// `(key, value)` in declaration order.
    public var ordered: [(key: String, value: Sourced<SettingValue>)] {
        order.compactMap { key in values[key].map { (key, $0) } }
    }
}
