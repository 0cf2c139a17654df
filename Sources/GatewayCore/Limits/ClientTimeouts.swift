import NIOCore

/// The time a caller's connection may spend without a request, as a value: a new connection
/// must send a complete request head within `header_read_timeout` (else it is closed; with 408
/// when some of a head arrived); between requests, a keep-alive connection may wait
/// `client_idle_timeout` for the next first byte, then has `header_read_timeout` for the head;
/// after an early answer, the rest of the request body is dropped for at most
/// `request_body_timeout`. `ProxyHandler` feeds it the connection's events and keeps one timer
/// for it, moved only when it fires (`DeadlineTimer`), so a request costs no timer work.
struct ClientTimeouts {
    enum Phase {
        /// No byte of the next request yet.
        case waiting
        /// Some bytes of a head, not all of it.
        case readingHead
        /// A request is being handled: the exchange's own deadlines apply.
        case inRequest
        /// The answer is complete, the rest of the request body is read and dropped.
        case discardingBody
    }

    /// What the handler does when the timer fires.
    enum Expiry {
        /// Nothing is due (yet): fire again at `deadline` if there is one.
        case notYet(NIODeadline?)
        case close
        /// Answer 408 (written below the HTTP encoder), then close.
        case requestTimeout(ProxyError)
    }

    let limits: ClientLimits
    private(set) var phase = Phase.waiting
    /// When the current phase runs out; nil while a request is handled.
    private(set) var deadline: NIODeadline?

    init(limits: ClientLimits) {
        self.limits = limits
    }

    /// The connection opened at `now`: its first head is due. Returns the deadline to arm.
    mutating func opened(now: NIODeadline) -> NIODeadline {
        set(now + limits.headerRead)
    }

    /// Bytes arrived: the first of a head starts its deadline (returned, to arm).
    mutating func bytesArrived(now: NIODeadline) -> NIODeadline? {
        guard case .waiting = phase else { return nil }
        phase = .readingHead
        return set(now + limits.headerRead)
    }

    /// A complete request head arrived (or the gateway answers below the codec and closes).
    mutating func requestStarted() {
        phase = .inRequest
        deadline = nil
    }

    /// The exchange ended (response sent, request read) at `now`: the next request may take
    /// `client_idle_timeout` to start. Returns the deadline to arm.
    mutating func requestFinished(now: NIODeadline) -> NIODeadline? {
        switch phase {
        case .inRequest, .discardingBody: break
        case .waiting, .readingHead: return nil
        }
        phase = .waiting
        return set(now + limits.clientIdle)
    }

    /// The answer went out before the request body was read (an early answer): the rest of the
    /// body is dropped as it arrives, for at most `request_body_timeout`, then the connection
    /// is closed (nginx's lingering close), so a trickled body cannot hold it forever.
    mutating func discardingBody(now: NIODeadline) -> NIODeadline {
        phase = .discardingBody
        return set(now + TimeAmount(seconds: limits.requestBodyTimeout))
    }

    /// The timer fired at `now`.
    mutating func fired(now: NIODeadline) -> Expiry {
        guard let deadline else { return .notYet(nil) }
        if now < deadline { return .notYet(deadline) }
        self.deadline = nil
        switch phase {
        case .inRequest:
            return .notYet(nil)
        case .waiting, .discardingBody:
            return .close
        case .readingHead:
            let seconds = limits.headerReadTimeout
            return .requestTimeout(
                ProxyError(
                    .clientTimeout, status: 408, title: "Request head timeout",
                    detail: "The request head was not complete within \(Self.format(seconds)) (gateway.limits.header_read_timeout)."))
        }
    }

    private mutating func set(_ new: NIODeadline) -> NIODeadline {
        deadline = new
        return new
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(Int(seconds * 1000)) ms"
    }
}
