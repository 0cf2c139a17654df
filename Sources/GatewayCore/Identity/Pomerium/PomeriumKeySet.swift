import Foundation
import JWTKit
import Synchronization

/// The Pomerium JWKS as last fetched: verification keys by `kid`, when they were fetched, and why
/// the last fetch failed. Read synchronously on the data path; written by `PomeriumKeyRefresher`,
/// which a request may wake (an unknown `kid`) but never waits for. Shared by every context, so
/// a reload keeps the cache.
package final class PomeriumKeySet: Sendable {
    struct Key: Sendable {
        var algorithm: String
        var verifier: any JWTAlgorithm
    }

    struct State {
        var keys: [String: Key] = [:]
        var fetchedAt: Date?
        var lastError: String?
        var refreshWanted = false
        var fetches = 0
        var failures = 0
    }

    private let state = Mutex(State())

    package init() {}

    enum Lookup {
        case key(Key)
        /// Nothing usable is cached: why, for the 401.
        case unavailable(String)
        case unknownKID
    }

    /// The key for `kid` if the cache may be trusted at `now`.
    func key(for kid: String, now: Date, maxStale: Double, url: EndpointURL) -> Lookup {
        state.withLock { state in
            guard let fetchedAt = state.fetchedAt else {
                return .unavailable(
                    "the Pomerium JWKS at \(url) has not been fetched" + (state.lastError.map { " (\($0))" } ?? " yet")
                        + " and no key is cached, so no assertion can be verified")
            }
            let age = now.timeIntervalSince(fetchedAt)
            if age > maxStale {
                return .unavailable(
                    "the Pomerium JWKS at \(url) could not be refreshed for \(Int(age)) s"
                        + (state.lastError.map { " (\($0))" } ?? "")
                        + ", longer than identity.pomerium.max_stale; its cached keys are no longer trusted")
            }
            guard let key = state.keys[kid] else { return .unknownKID }
            return .key(key)
        }
    }

    /// Asks the refresher for a fetch soon (an unknown `kid`: the keys may have rotated).
    func requestRefresh() {
        state.withLock { $0.refreshWanted = true }
    }

    /// A request asked for a fetch since the last one.
    var refreshWanted: Bool { state.withLock { $0.refreshWanted } }

    func install(_ keys: [String: Key], at date: Date) {
        state.withLock { state in
            state.keys = keys
            state.fetchedAt = date
            state.lastError = nil
            state.refreshWanted = false
            state.fetches += 1
        }
    }

    func failed(_ reason: String) {
        state.withLock { state in
            state.lastError = reason
            state.refreshWanted = false
            state.failures += 1
        }
    }

    var kids: [String] { state.withLock { $0.keys.keys.sorted() } }

    /// Prometheus lines: JWKS fetches by result, and the age of the keys in use.
    package func metricsText(now: Date = Date()) -> String {
        let (fetches, failures, fetchedAt) = state.withLock { ($0.fetches, $0.failures, $0.fetchedAt) }
        return """
            # HELP gateway_pomerium_jwks_fetches_total Pomerium JWKS fetches, by result.
            # TYPE gateway_pomerium_jwks_fetches_total counter
            gateway_pomerium_jwks_fetches_total{result="ok"} \(fetches)
            gateway_pomerium_jwks_fetches_total{result="failed"} \(failures)
            # HELP gateway_pomerium_jwks_age_seconds Age of the Pomerium keys in use (-1: none fetched).
            # TYPE gateway_pomerium_jwks_age_seconds gauge
            gateway_pomerium_jwks_age_seconds \(fetchedAt.map { Int(now.timeIntervalSince($0)) } ?? -1)

            """
    }
}
