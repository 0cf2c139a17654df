/// What carries a kind's machine traffic, declared once by the kind.
public enum MachineTraffic: Sendable, Hashable {
    /// HTTP routes to the executor URL (or, for a SCIM provider, its SCIM base): the mode's
    /// routes, or the kind's own `routes(for:)`.
    case http
    /// A byte or gRPC stream on a listener of the connector's own: `listen` is the option holding
    /// that listener's address, `upstream` the option holding the upstream's `host:port`. Core
    /// serves the listener (`listen_tls.*` come with it) and reads no HTTP-only key.
    case tcp(upstream: String, listen: String)

    /// The option holding the upstream `host:port`; nil for HTTP.
    public var upstreamKey: String? {
        if case let .tcp(upstream, _) = self { return upstream }
        return nil
    }

    /// The option holding the connector's own listener address; nil for HTTP.
    public var listenKey: String? {
        if case let .tcp(_, listen) = self { return listen }
        return nil
    }
}
