import NIOCore

/// One timer per connection, moved only when it fires: asking it to fire no later than a
/// deadline it already beats costs nothing, so a request costs no timer work. When it fires,
/// its owner compares the clock with its own deadline and asks again if that moved later.
/// Properties `@exclusivity(unchecked)`: loop-confined data-path state (see `ProxyHandler`).
final class DeadlineTimer {
    @exclusivity(unchecked) private var task: Scheduled<Void>?
    /// When the scheduled task runs, if one is scheduled.
    @exclusivity(unchecked) private var firesAt: NIODeadline?
    /// Runs on the event loop, and only while this timer is alive (its task holds the timer
    /// weakly). The owner keeps the timer to itself, so `onFire` may capture the owner
    /// `unowned(unsafe)`: a weak capture would give the owner a side table, which makes every
    /// retain of it slower, and a strong one a cycle. The owner sets it once, at the end of its
    /// `init`, and holds the timer in a `let`: reading a `let` costs no retain, which matters
    /// because the task's weak reference gives the timer itself a side table.
    var onFire: () -> Void = {}

    init() {}

    deinit {
        task?.cancel()
    }

    /// Makes sure the timer fires no later than `deadline` on `eventLoop` (asked for only when
    /// the timer is moved).
    func fire(noLaterThan deadline: NIODeadline, on eventLoop: @autoclosure () -> any EventLoop) {
        if let firesAt, firesAt <= deadline { return }  // fires first; the owner asks again then
        task?.cancel()
        firesAt = deadline
        task = eventLoop().assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            self.task = nil
            self.firesAt = nil
            self.onFire()
        }
    }

    func cancel() {
        task?.cancel()
        task = nil
        firesAt = nil
    }
}
