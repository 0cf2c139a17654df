extension ContinuousClock.Instant {
    /// Seconds from this instant until now.
    var secondsSince: Double {
        let duration = ContinuousClock.now - self
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
