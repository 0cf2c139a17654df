/// The connector keys that always have a value, as constants: `connector[ConnectorKey.verifyTLS]`.
public enum ConnectorKey {
    public static let enabled: Setting<Bool> = .bool(
        "enabled", env: .suffix("ENABLED"), default: true, summary: "a disabled connector is not routed and its secrets are not resolved")
    public static let verifyTLS: Setting<Bool> = .bool(
        "verify_tls", env: .suffix("VERIFY_TLS"), default: true, summary: "verify the executor's TLS certificate")
    public static let clientCertOptional: Setting<Bool> = .bool(
        "client_cert_optional", env: .suffix("CLIENT_CERT_OPTIONAL"), default: false,
        summary: "without client_cert_file: true goes on without a certificate when the executor asks for one; false answers 502 naming it")
    public static let connectTimeout: Setting<Double> = .duration(
        "limits.connect_timeout", minimum: 0.01, default: 5, summary: "upstream connect timeout")
    public static let firstByteTimeout: Setting<Double> = .duration(
        "limits.first_byte_timeout", minimum: 0.01, default: 60, summary: "time allowed for the upstream's response head")
    public static let idleTimeout: Setting<Double> = .duration(
        "limits.idle_timeout", minimum: 0.01, default: 60, summary: "longest silence on an upstream connection mid-exchange")
    public static let maxBodyBytes: Setting<Int> = .integer(
        "limits.max_body_bytes", 0...Int(Int64.max), default: 1 << 30, summary: "largest request body accepted (bytes)")
    public static let maxConnections: Setting<Int> = .integer(
        "limits.max_connections", 1...100_000, default: 256, summary: "upstream connections open at once")
    public static let maxTunnels: Setting<Int> = .integer(
        "limits.max_tunnels", 1...1_000_000, default: 1024,
        summary: "WebSocket tunnels to this connector open at once, all callers (per gateway replica); over it: 503")
    public static let tunnelIdleTimeout: Setting<Double> = .duration(
        "tunnel_idle_timeout", minimum: 1, default: 3600,
        summary: "a WebSocket tunnel silent both ways this long is closed (a terminal nobody types in is not a fault)")
}
