/// How a connector kind checks that its upstream can serve: the probe the health checks run
/// through the same executor path, Host header, TLS settings and credential as the traffic.
public enum ProbeSpec: Sendable, Hashable {
    /// `GET <executor URL><path>`; a status in `healthy` is ok.
    case http(path: String, healthy: Set<Int>)
    /// The gRPC health protocol (`grpc.health.v1.Health/Check`) for `service`, at the
    /// connector's TCP executor address.
    case grpcHealth(service: String)
}
