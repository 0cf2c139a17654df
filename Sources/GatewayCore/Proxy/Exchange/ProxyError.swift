import Foundation

/// A request the gateway answers itself: an error with its HTTP status and a sentence for people,
/// rendered as problem+json (or SCIM error JSON on SCIM routes).
struct ProxyError: Error, Sendable, Equatable {
    /// Stable identifiers; also the `errors by kind` metric label.
    enum Kind: String, Sendable, CaseIterable {
        case unauthenticated, forbidden
        case unknownConnector = "unknown_connector"
        case noRoute = "no_machine_route"
        case notFound = "not_found"
        case refused, dns, tls, timeout, reset, limit, upgrade
        case badRequest = "bad_request"
        case unavailable
        case methodNotAllowed = "method_not_allowed"
        case unsupportedFraming = "unsupported_framing"
        case clientTimeout = "client_timeout"
        case upstreamProtocol = "upstream_protocol"
        case rateLimited = "rate_limited"

        /// The problem `type` of this kind's errors.
        var typeURI: String { "urn:fractalops:gateway:\(rawValue.replacingOccurrences(of: "_", with: "-"))" }
    }

    var kind: Kind
    var status: Int
    var title: String
    var detail: String
    /// Seconds for a `Retry-After` header (429 answers).
    var retryAfter: Int?

    init(_ kind: Kind, status: Int, title: String, detail: String) {
        self.kind = kind
        self.status = status
        self.title = title
        self.detail = detail
    }

    var typeURI: String { kind.typeURI }

    /// The metric bucket for errors (`refused`, `tls`, `timeout`, `reset`, `limit`, ...).
    var metricKind: String { kind.rawValue }
}
