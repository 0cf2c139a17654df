import NIOCore

/// A check step that ran out of time (the check's deadline, from `health.timeout`).
struct HealthCheckTimeout: Error, Sendable {}

extension EventLoopFuture where Value: Sendable {
    /// Waits for the value, failing with `HealthCheckTimeout` at `deadline` and with
    /// `CancellationError` when the task is cancelled (server shutdown): a check never hangs.
    func get(before deadline: NIODeadline) async throws -> Value {
        let promise = eventLoop.makePromise(of: Value.self)
        cascade(to: promise)
        let timer = eventLoop.scheduleTask(deadline: deadline) { promise.fail(HealthCheckTimeout()) }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }
}
