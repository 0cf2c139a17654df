import GatewayCore

/// Temporal frontend (gRPC). The connector owns a listener at `listen`. With `transport: grpc`
/// (the default) it is an HTTP/2 gRPC proxy that checks every call: the principal (bearer token
/// in `authorization`, the SDKs' `api_key`, or a client certificate), the method, and the
/// namespace the request message names, against the principal's `temporal_namespaces`; calls
/// are re-originated to `FRACTALOPS_TEMPORAL_EXECUTOR_ADDRESS` over h2c or TLS (`tls: true`).
/// With `transport: tcp` it passes bytes both ways: TLS end to end, or, with `listen_tls`,
/// terminated on the listener (client certificates checked against the principals) and
/// re-originated upstream.
public struct TemporalKind: ConnectorKind {
    public init() {}
    public let name = "temporal"
    public let summary =
        "Temporal frontend: a gRPC proxy that checks principals and namespaces per call (or an L4 pass-through) on the connector's own listener"
    public let defaultMode: ConnectorMode = .project
    public let tcpAddressKey: String? = "executor_address"
    public let tcpListenKey: String? = "listen"
    /// gRPC has its own framing and limits: no HTTP-level rewriting, limits or executor URL apply.
    public let excludedCommonKeys: Set<String> = [
        "executor_url", "scim_base_url", "host_header", "limits.connect_timeout", "limits.first_byte_timeout",
        "limits.idle_timeout", "limits.max_body_bytes", "limits.max_connections",
    ]
    /// Temporal Cloud style: the connector's API key goes upstream as `authorization: Bearer`.
    public let credentials = [CredentialSpec(key: "api_key", header: "authorization", scheme: "Bearer")]
    public let options = [
        SettingSpec(
            "executor_address", .address(allowAnyPort: false), env: .suffix("EXECUTOR_ADDRESS"), required: true,
            summary: "the Temporal frontend's host:port (7233 by convention)"),
        SettingSpec(
            "listen", .address(allowAnyPort: true), env: .suffix("LISTEN"), required: true,
            summary: "the connector's own listener"),
        SettingSpec(
            "transport", .choice(["grpc", "tcp"]), env: .suffix("TRANSPORT"), default: .string("grpc"),
            summary: "grpc: an HTTP/2 proxy that checks principal, method and namespace per call; tcp: bytes passed through"),
        SettingSpec(
            "tls", .bool, env: .suffix("TLS"), default: .bool(false),
            summary:
                "the frontend speaks TLS (grpc: re-originated; tcp: passed through end to end, or re-originated with listen_tls; the probe verifies it per verify_tls/ca_file)"
        ),
        SettingSpec(
            "connect_timeout", .duration(minimum: 0.01), default: .duration(seconds: 5),
            summary: "upstream connect timeout"),
        SettingSpec(
            "max_connections", .integer(1...100_000), default: .integer(1024),
            summary: "client connections accepted at once"),
        SettingSpec(
            "idle_timeout", .duration(minimum: 90), default: .duration(seconds: 300),
            summary: "tcp: idle limit per connection, at least 90s because workers hold ~70s long polls (grpc never closes an idle connection)"),
        SettingSpec(
            "max_message_bytes", .integer(1...(1 << 30)), env: .suffix("MAX_MESSAGE_BYTES"), default: .integer(128 << 20),
            summary: "grpc: the largest request message let through (128 MiB, as the SDKs send); over it: RESOURCE_EXHAUSTED"),
        SettingSpec(
            "calls_without_namespace", .string, env: .suffix("CALLS_WITHOUT_NAMESPACE"),
            default: .string(TemporalCallPolicy.defaultCallsWithoutNamespace),
            summary: "grpc: the calls that name no namespace a principal may make (Service/Method, space-separated)"),
        SettingSpec(
            "health_service", .string, default: .string("temporal.api.workflowservice.v1.WorkflowService"),
            summary: "gRPC health service name the probe checks"),
    ]

    /// The gRPC health protocol for the WorkflowService (the empty name says SERVING too early).
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .grpcHealth(service: connector.string("health_service") ?? "temporal.api.workflowservice.v1.WorkflowService")
    }

    /// The listener at `listen` and the frontend at `executor_address`; with `transport: grpc`
    /// (the default) the call policy built from the generated method table.
    public func tcpRoute(for connector: ConnectorConfig) -> TCPRouteSpec? {
        guard let listen = connector.settings["listen"]?.value.addressValue, case let .tcp(address) = connector.machineRoute
        else { return nil }
        let grpc =
            connector.string("transport") == "tcp"
            ? nil
            : TemporalCallPolicy.make(
                callsWithoutNamespace: TemporalCallPolicy.calls(connector.string("calls_without_namespace") ?? ""),
                maxMessageBytes: connector.integer("max_message_bytes") ?? (128 << 20))
        return TCPRouteSpec(
            listen: listen, upstream: address.value, upstreamTLS: connector.bool("tls") == true,
            maxConnections: connector.integer("max_connections") ?? 1024, idleTimeout: connector.duration("idle_timeout") ?? 300,
            connectTimeout: connector.duration("connect_timeout") ?? 5, grpc: grpc)
    }

    public func finalize(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {
        guard let setting = connector.settings["calls_without_namespace"] else { return }
        for call in TemporalCallPolicy.calls(setting.value.stringValue ?? "") where !TemporalCallPolicy.namespaceFreeCalls.contains(call) {
            let known = TemporalCallPolicy.namespaceFreeCalls.sorted()
            diagnostics.append(
                ConfigIssue(
                    .invalidValue, at: setting.source.description, connector: connector.name, key: "calls_without_namespace",
                    problem: "'\(call)' is not a Temporal call that names no namespace.\(Suggestion.didYouMean(call, in: known))",
                    fix: "List Service/Method names from: \(known.joined(separator: ", "))."))
        }
    }
}
