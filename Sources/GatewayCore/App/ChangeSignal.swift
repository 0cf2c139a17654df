import Synchronization

/// Tells whoever waits that something changed (a new proxy context, readiness), so that they
/// wake when it happens rather than poll. Each `stream()` is one waiter's; a change that comes
/// while the waiter is busy is kept (one, however many came) for its next wait.
public final class ChangeSignal: Sendable {
    private struct Waiters {
        var next: UInt64 = 0
        var continuations: [UInt64: AsyncStream<Void>.Continuation] = [:]
    }

    private let waiters = Mutex(Waiters())

    public init() {}

    /// A new waiter, told of every change from now on.
    public func stream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = waiters.withLock { waiters -> UInt64 in
            waiters.next += 1
            waiters.continuations[waiters.next] = continuation
            return waiters.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.waiters.withLock { _ = $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    public func signal() {
        for continuation in waiters.withLock({ Array($0.continuations.values) }) { continuation.yield() }
    }
}
