import Logging
import Synchronization

/// Whether the process takes traffic: listeners up and not draining.
public final class Readiness: Sendable {
    private let flag = Atomic<Bool>(false)
    private let changes = Broadcast<Bool>()
    public init() {}
    public var isReady: Bool { flag.load(ordering: .relaxed) }

    public func set(_ ready: Bool) {
        flag.store(ready, ordering: .relaxed)
        changes.publish(ready)
    }

    /// Returns once the process is ready (at once if it is), or when the task is cancelled.
    public func untilReady() async {
        let changes = self.changes.subscribe()
        if isReady { return }
        for await ready in changes where ready { return }
    }
}
