/// How a connector whose machine traffic comes through a listener of its own (Temporal) is
/// served, as its kind declares it: where the listener is, where and how the gateway dials, the
/// listener's limits, and, for a listener that speaks gRPC, how every call is checked. Core reads
/// these values, never the kind's option names.
public struct TCPRouteSpec: Sendable, Equatable {
    public var listen: HostPort
    public var upstream: HostPort
    /// The upstream speaks TLS: re-originated with the connector's CA, TLS name and client
    /// certificate (and the health probe verifies it so).
    public var upstreamTLS: Bool
    /// Caller connections accepted at once.
    public var maxConnections: Int
    /// Seconds a byte-stream connection may be silent both ways (a gRPC listener never closes an
    /// idle connection).
    public var idleTimeout: Double
    /// Seconds to connect to the upstream (and the health probe's connect limit).
    public var connectTimeout: Double
    /// Nil: bytes are joined both ways; otherwise the listener is a gRPC proxy checking every call.
    public var grpc: GRPCCallPolicy?

    public init(
        listen: HostPort, upstream: HostPort, upstreamTLS: Bool, maxConnections: Int, idleTimeout: Double,
        connectTimeout: Double, grpc: GRPCCallPolicy?
    ) {
        self.listen = listen
        self.upstream = upstream
        self.upstreamTLS = upstreamTLS
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
        self.grpc = grpc
    }
}
