import Logging
import Synchronization

/// Whether the process takes traffic: listeners up and not draining.
package final class Readiness: Sendable {
    private let flag = Atomic<Bool>(false)
    private let changes = Broadcast<Bool>()
    package init() {}
    package var isReady: Bool { flag.load(ordering: .relaxed) }

    package func set(_ ready: Bool) {
        flag.store(ready, ordering: .relaxed)
        changes.publish(ready)
    }

    /// Returns once the process is ready (at once if it is), or when the task is cancelled.
    package func untilReady() async {
        let changes = self.changes.subscribe()
        if isReady { return }
        for await ready in changes where ready { return }
    }
}
