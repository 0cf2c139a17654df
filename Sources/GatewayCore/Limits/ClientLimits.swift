import NIOCore

/// The gateway's limits against slow, idle and greedy callers (`gateway.limits`). Each default
/// is one a busy deployment can live with, and is what `gateway explain` shows when unset.
package struct ClientLimits: Sendable, Equatable {
    /// Open caller connections at once; one more is answered 503 and closed.
    package var maxClientConnections: Int = 10_000
    /// From a request's first byte (or a new connection's accept) until its head is complete;
    /// then 408 and close (HAProxy `timeout http-request`, nginx `client_header_timeout`).
    package var headerReadTimeout: Double = 10
    /// How long a keep-alive connection may wait for its next request (nginx `keepalive_timeout`).
    package var clientIdleTimeout: Double = 60
    /// A request body must be complete within this, plus one second per `requestBodyMinRate`
    /// bytes received (Apache `RequestReadTimeout body=20,MinRate=500`): a trickled body never
    /// holds an upstream connection for long.
    package var requestBodyTimeout: Double = 20
    /// Bytes per second that extend the body deadline by one second; 0 turns the deadline off.
    package var requestBodyMinRate: Int = 500
    /// The most a JSON body the gateway rewrites (SCIM URLs) may hold, in either direction.
    package var maxBufferedBodyBytes: Int = 32 * 1024 * 1024

    package init() {}

    package static let defaults = ClientLimits()

    var headerRead: TimeAmount { TimeAmount(seconds: headerReadTimeout) }
    var clientIdle: TimeAmount { TimeAmount(seconds: clientIdleTimeout) }
}
