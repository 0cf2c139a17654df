import NIOCore
import NIOHTTP1

/// A caller's connection around its exchanges, as a value: whether each part of the caller's
/// request belongs to the current exchange, is dropped (the request was already answered) or
/// waits (a pipelined request behind a response still in flight), and when reading is held.
/// The exchange in progress is held in a box (`CurrentExchange`): a copy of this value shares it.
struct CallerConnectionStateMachine {
    enum Phase {
        case idle
        /// Answered here (control route or refusal); the rest of the request is dropped.
        case answered
        case proxying
        /// The response is complete; the rest of the request body is dropped.
        case draining
    }

    /// What becomes of one part of the caller's request.
    enum ReadAction {
        /// It belongs to a pipelined request: held until the current response is complete.
        case queued
        /// A new request: the handler routes it.
        case route(CallerRequestHead)
        /// The current exchange's next step.
        case exchange(ExchangeStateMachine.Action)
        /// More of a request that was already answered.
        case dropped
        /// The end of a request that was already answered: the connection is idle again.
        case requestDone
    }

    private(set) var phase = Phase.idle
    /// The exchange in progress (`phase == .proxying`).
    private(set) var exchange: CurrentExchange?
    private var pipelined = PipelineQueue()
    /// The channel asked to read while reads were held.
    private var readPending = false
    /// Graceful shutdown: the current response is the last.
    private(set) var quiescing = false

    /// A whole request was read and its response is not complete: whatever arrives now belongs
    /// to the next (pipelined) request.
    private var isBusy: Bool {
        guard phase == .proxying, let exchange else { return false }
        return exchange.machine.isRequestComplete && !exchange.machine.isFinished
    }

    // MARK: - Reading

    mutating func received(_ part: consuming CallerRequestPart, now: NIODeadline) -> ReadAction {
        if isBusy || !pipelined.isEmpty {
            pipelined.append(part)
            return .queued
        }
        return dispatch(part, now: now)
    }

    /// The next pipelined part, once the previous response is complete.
    mutating func nextPipelined(now: NIODeadline) -> ReadAction? {
        guard !isBusy, let part = pipelined.popFirst() else { return nil }
        return dispatch(part, now: now)
    }

    /// `part` is consumed: a head moves on into the action (no copy of its fields).
    private mutating func dispatch(_ part: consuming CallerRequestPart, now: NIODeadline) -> ReadAction {
        switch (consume part, phase) {
        case let (.head(head), _):
            return .route(head)
        case let (.body(buffer), .proxying) where exchange != nil:
            return .exchange(exchange!.machine.requestBodyReceived(buffer, now: now))
        case let (.end(trailers), .proxying) where exchange != nil:
            return .exchange(exchange!.machine.requestEndReceived(trailers, now: now))
        case (.end, .answered), (.end, .draining):
            phase = .idle
            return .requestDone
        case (.body, _), (.end, _):
            return .dropped
        }
    }

    /// The channel wants to read: false when the read is held, because the request body has
    /// nowhere to go yet (no connection, or the upstream is not writable) or the pipelined
    /// queue is full. Reading would only pile bytes up in memory.
    /// `upstreamWritable` is asked only while a body streams upstream (an atomic read behind
    /// an existential, on every read the channel asks for).
    mutating func readRequested(upstreamWritable: @autoclosure () -> Bool) -> Bool {
        if holdsReads(upstreamWritable: upstreamWritable) {
            readPending = true
            return false
        }
        return true
    }

    /// True when a held read may go ahead now (the handler reads).
    mutating func resumeRead(upstreamWritable: @autoclosure () -> Bool) -> Bool {
        guard readPending, !holdsReads(upstreamWritable: upstreamWritable) else { return false }
        readPending = false
        return true
    }

    private func holdsReads(upstreamWritable: () -> Bool) -> Bool {
        if pipelined.isFull { return true }
        guard phase == .proxying, let exchange else { return false }
        return exchange.machine.isWaitingForConnection || (exchange.machine.isStreamingToUpstream && !upstreamWritable())
    }

    // MARK: - Requests

    /// The handler answered the request itself.
    mutating func answeredLocally() {
        phase = .answered
    }

    /// `consuming`: the new exchange is moved into its box, not copied field by field.
    mutating func started(_ exchange: consuming ExchangeStateMachine) {
        self.exchange = CurrentExchange(exchange)
        phase = .proxying
    }

    /// The exchange ended (its last action was carried out): it goes, and comes back in
    /// `ended` for its accounting; the connection is idle when the whole request was read,
    /// otherwise draining the rest of its body.
    mutating func exchangeEnded() -> (phase: Phase, ended: CurrentExchange?) {
        guard let current = exchange else { return (phase, nil) }
        phase = current.machine.isRequestComplete ? .idle : .draining
        exchange = nil
        return (phase, current)
    }

    /// Graceful shutdown asked: true when the connection can close now (nothing in flight).
    mutating func quiesce() -> Bool {
        quiescing = true
        return (phase == .idle || phase == .answered) && pipelined.isEmpty
    }
}
