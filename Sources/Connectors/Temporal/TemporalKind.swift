import GatewayCore

/// Temporal frontend (gRPC). The connector owns a TCP listener that passes bytes both ways to
/// `FRACTALOPS_TEMPORAL_EXECUTOR_ADDRESS`: TLS end to end, or, with `listen_tls`, terminated on
/// the listener (client certificates checked against the principals) and re-originated upstream.
public struct TemporalKind: ConnectorKind {
    public init() {}
    public let name = "temporal"
    public let summary = "Temporal frontend, L4 pass-through on the connector's own listener"
    public let defaultMode: ConnectorMode = .project
    public let tcpAddressKey: String? = "executor_address"
    public let tcpListenKey: String? = "listen"
    /// gRPC is passed through as bytes: no HTTP-level rewriting, limits or executor URL apply.
    public let excludedCommonKeys: Set<String> = [
        "executor_url", "scim_base_url", "host_header", "limits.connect_timeout", "limits.first_byte_timeout",
        "limits.idle_timeout", "limits.max_body_bytes", "limits.max_connections",
    ]
    public let options = [
        SettingSpec("executor_address", .address(allowAnyPort: false), env: .suffix("EXECUTOR_ADDRESS"), required: true,
                    summary: "the Temporal frontend's host:port (7233 by convention)"),
        SettingSpec("listen", .address(allowAnyPort: true), env: .suffix("LISTEN"), required: true,
                    summary: "the connector's own TCP listener"),
        SettingSpec("tls", .bool, env: .suffix("TLS"), default: .bool(false),
                    summary: "the frontend speaks TLS (passed through end to end, or re-originated with listen_tls; the probe verifies it per verify_tls/ca_file)"),
        SettingSpec("listen_tls.cert_file", .pemFile, env: .suffix("LISTEN_TLS_CERT_FILE"),
                    summary: "terminate TLS on the listener with this PEM certificate chain; path or reference"),
        SettingSpec("listen_tls.key_file", .pemFile, env: .suffix("LISTEN_TLS_KEY_FILE"),
                    summary: "PEM private key of listen_tls.cert_file; path or reference (file://, openbao://); never shown"),
        SettingSpec("listen_tls.client_ca_file", .path, env: .suffix("LISTEN_TLS_CLIENT_CA_FILE"),
                    summary: "PEM bundle of the CA(s) of callers' client certificates; required when principals are configured"),
        SettingSpec("connect_timeout", .duration(minimum: 0.01), default: .duration(seconds: 5),
                    summary: "upstream connect timeout"),
        SettingSpec("max_connections", .integer(1...100_000), default: .integer(1024),
                    summary: "client connections accepted at once"),
        SettingSpec("idle_timeout", .duration(minimum: 90), default: .duration(seconds: 300),
                    summary: "idle limit per connection; at least 90s because workers hold ~70s long polls"),
        SettingSpec("health_service", .string, default: .string("temporal.api.workflowservice.v1.WorkflowService"),
                    summary: "gRPC health service name the probe checks"),
    ]

    /// The gRPC health protocol for the WorkflowService (the empty name says SERVING too early).
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .grpcHealth(service: connector.string("health_service") ?? "temporal.api.workflowservice.v1.WorkflowService")
    }
}
