/// The `connector_mode` implementations, looked up by mode; a mode registered twice is refused.
public struct ModeRegistry: Sendable {
    public struct DuplicateMode: Error, CustomStringConvertible {
        public var mode: ConnectorMode
        public var description: String { "the connector_mode '\(mode)' is registered twice" }
    }

    private var behaviors: [ConnectorMode: any ModeBehavior] = [:]
    public private(set) var order: [ConnectorMode] = []

    public init() {}

    public init(_ behaviors: [any ModeBehavior]) throws(DuplicateMode) {
        for behavior in behaviors { try register(behavior) }
    }

    public mutating func register(_ behavior: any ModeBehavior) throws(DuplicateMode) {
        guard behaviors[behavior.mode] == nil else { throw DuplicateMode(mode: behavior.mode) }
        behaviors[behavior.mode] = behavior
        order.append(behavior.mode)
    }

    public func behavior(for mode: ConnectorMode) -> (any ModeBehavior)? { behaviors[mode] }

    /// Every mode of the platform, registered once each.
    public static var standard: ModeRegistry {
        // StandardModes.all has one entry per mode; a duplicate is a programming error caught by tests.
        (try? ModeRegistry(StandardModes.all)) ?? ModeRegistry()
    }
}
