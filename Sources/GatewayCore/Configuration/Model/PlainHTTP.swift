/// What the plain-HTTP listener (`gateway.listen`) serves (`gateway.plain_http`). With TLS on,
/// tokens must not cross the network in clear: the default is then `probes`.
public enum PlainHTTP: String, Sendable, Equatable {
    /// Every route (the default without TLS).
    case all
    /// Only `/livez`, `/readyz` and `/metrics` (probes, scrapers, `gateway reload`; no token).
    case probes
    /// No plain listener.
    case off
}
