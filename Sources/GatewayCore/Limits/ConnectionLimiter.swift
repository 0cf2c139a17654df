import Synchronization

/// Counts the caller connections open on every HTTP listener of the process (a reload that
/// moves a listener keeps the count), so `gateway.limits.max_client_connections` holds.
package final class ConnectionLimiter: Sendable {
    private let open = Atomic<Int>(0)

    package init() {}

    package var count: Int { open.load(ordering: .relaxed) }

    /// Takes a slot when fewer than `limit` are taken; false (and nothing taken) otherwise.
    func acquire(limit: Int) -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        if now <= limit { return true }
        open.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func release() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }
}
