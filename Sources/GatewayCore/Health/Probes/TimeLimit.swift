import Synchronization

/// Runs `operation` and returns its result, or nil once `seconds` have passed, whichever comes
/// first; the caller goes on at once, even when the operation does not react to cancellation (it is
/// cancelled and left to finish on its own). For `gateway health`'s secret lookups, whose
/// clients have timeouts of their own that may be longer than `--timeout`.
func withTimeLimit<T: Sendable>(
    seconds: Double, _ operation: @escaping @Sendable () async -> T
) async -> T? {
    let gate = ResumeOnce<T?>()
    return await withCheckedContinuation { continuation in
        gate.set(continuation)
        let work = Task {
            gate.resume(with: await operation())
        }
        Task {
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            if gate.resume(with: nil) { work.cancel() }
        }
    }
}

/// A continuation resumed by whichever caller comes first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, Never>?, done: Bool)>((nil, false))

    func set(_ continuation: CheckedContinuation<T, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    /// True when this call resumed the continuation.
    @discardableResult
    func resume(with value: T) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<T, Never>? in
            guard !state.done, let continuation = state.continuation else { return nil }
            state.done = true
            return continuation
        }
        continuation?.resume(returning: value)
        return continuation != nil
    }
}
