import NIOCore

/// A token bucket as a value: it holds up to `burst` tokens, refilled at `rate` per second, and
/// each request takes one. No clock of its own (the caller passes `now`), so it is tested by
/// moving time by hand.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private(set) var tokens: Double
    /// When `tokens` was last brought up to date; nil until the first request (the clock is the
    /// event loops', which the bucket first sees then).
    private var updated: NIODeadline?

    /// A full bucket.
    init(rate: Int, burst: Int) {
        self.rate = Double(max(rate, 1))
        self.burst = Double(max(burst, 1))
        tokens = self.burst
    }

    /// Takes a token: nil when there was one, else the seconds until there will be one.
    mutating func take(now: NIODeadline) -> Double? {
        if let updated, now > updated {
            tokens = min(burst, tokens + Double((now - updated).nanoseconds) / 1e9 * rate)
        }
        if updated.map({ now > $0 }) ?? true { updated = now }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }
}
