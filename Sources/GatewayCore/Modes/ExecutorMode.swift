/// `project`, `poll`, `jit`, `hybrid`: the executor route (a SCIM provider's SCIM route too, by
/// its kind). The mode is the integration's rhythm, decided by its callers; routing is the same.
public struct ExecutorMode: ModeBehavior {
    public let mode: ConnectorMode

    public init(_ mode: ConnectorMode) {
        self.mode = mode
    }

    public var summary: String { "machine traffic to the executor URL (/executor/<name>)" }

    public func resolveRoute(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        resolveExecutorRoute(&connector)
    }
}
