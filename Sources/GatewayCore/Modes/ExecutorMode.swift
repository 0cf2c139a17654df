/// `project`, `poll`, `jit`, `hybrid`: the executor route (a SCIM provider's SCIM route too, by
/// its kind). The mode is the integration's rhythm, decided by its callers; routing is the same.
struct ExecutorMode: ModeBehavior {
    let mode: ConnectorMode

    init(_ mode: ConnectorMode) {
        self.mode = mode
    }

    var summary: String { "machine traffic to the executor URL (/executor/<name>)" }

    func resolveRoute(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        resolveExecutorRoute(&connector)
    }
}
