/// The connector kinds known to this gateway, looked up by `kind:`, and the `connector_mode`
/// implementations they are composed with.
public struct ConnectorRegistry: Sendable {
    public struct DuplicateKind: Error, CustomStringConvertible {
        public var kind: String
        public var description: String { "the connector kind '\(kind)' is registered twice" }
    }

    private var kinds: [String: any ConnectorKind] = [:]
    public private(set) var order: [String] = []

    /// The `connector_mode` implementations.
    public var modes: ModeRegistry

    public init(modes: ModeRegistry = .standard) {
        self.modes = modes
    }

    public init(_ kinds: [any ConnectorKind], modes: ModeRegistry = .standard) throws(DuplicateKind) {
        self.modes = modes
        for kind in kinds { try register(kind) }
    }

    public mutating func register(_ kind: any ConnectorKind) throws(DuplicateKind) {
        guard kinds[kind.name] == nil else { throw DuplicateKind(kind: kind.name) }
        kinds[kind.name] = kind
        order.append(kind.name)
    }

    public func kind(named name: String) -> (any ConnectorKind)? { kinds[name] }

    public var all: [any ConnectorKind] { order.compactMap { kinds[$0] } }
}
