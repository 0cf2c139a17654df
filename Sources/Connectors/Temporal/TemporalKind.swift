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
    /// The connector's listener at `listen`, the frontend at `executor_address`; gRPC has its own
    /// framing and limits, so no HTTP executor key applies.
    public let traffic = MachineTraffic.tcp(upstream: "executor_address", listen: "listen")
    /// Temporal Cloud style: the connector's API key goes upstream as `authorization: Bearer`.
    public let credentials = [CredentialSpec(key: "api_key", header: "authorization", scheme: "Bearer")]
    public let options = [
        SettingSpec(
            "executor_address", .address(allowAnyPort: false), env: .suffix("EXECUTOR_ADDRESS"), required: true,
            summary: "the Temporal frontend's host:port (7233 by convention)"),
        SettingSpec(
            "listen", .address(allowAnyPort: true), env: .suffix("LISTEN"), required: true,
            summary: "the connector's own listener"),
        Option.transport.spec,
        SettingSpec(
            "tls", .bool, env: .suffix("TLS"), default: .bool(false),
            summary:
                "the frontend speaks TLS (grpc: re-originated; tcp: passed through end to end, or re-originated with listen_tls; the probe verifies it per verify_tls/ca_file)"
        ),
        Option.connectTimeout.spec,
        Option.maxConnections.spec,
        Option.idleTimeout.spec,
        Option.maxMessageBytes.spec,
        Option.callsWithoutNamespace.spec,
        Option.healthService.spec,
    ]

    /// The gRPC health protocol for the WorkflowService (the empty name says SERVING too early).
    public func probe(for connector: ConnectorConfig) -> ProbeSpec {
        .grpcHealth(service: connector[Option.healthService])
    }

    /// The listener at `listen` and the frontend at `executor_address`; with `transport: grpc`
    /// (the default) the call policy built from the generated method table.
    public func tcpRoute(for connector: ConnectorConfig) -> TCPRouteSpec? {
        guard let listen = connector.settings["listen"]?.value.addressValue, case let .tcp(address) = connector.machineRoute
        else { return nil }
        let grpc =
            connector[Option.transport] == "tcp"
            ? nil
            : TemporalCallPolicy.make(
                callsWithoutNamespace: TemporalCallPolicy.calls(connector[Option.callsWithoutNamespace]),
                maxMessageBytes: connector[Option.maxMessageBytes])
        return TCPRouteSpec(
            listen: listen, upstream: address.value, upstreamTLS: connector.bool("tls") == true,
            maxConnections: connector[Option.maxConnections], idleTimeout: connector[Option.idleTimeout],
            connectTimeout: connector[Option.connectTimeout], grpc: grpc)
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

extension TemporalKind {
    /// The options that always have a value, as constants.
    enum Option {
        static let transport: Setting<String> = .choice(
            "transport", ["grpc", "tcp"], env: .suffix("TRANSPORT"), default: "grpc",
            summary: "grpc: an HTTP/2 proxy that checks principal, method and namespace per call; tcp: bytes passed through")
        static let connectTimeout: Setting<Double> = .duration(
            "connect_timeout", minimum: 0.01, default: 5, summary: "upstream connect timeout")
        static let maxConnections: Setting<Int> = .integer(
            "max_connections", 1...100_000, default: 1024, summary: "client connections accepted at once")
        static let idleTimeout: Setting<Double> = .duration(
            "idle_timeout", minimum: 90, default: 300,
            summary: "tcp: idle limit per connection, at least 90s because workers hold ~70s long polls (grpc never closes an idle connection)")
        static let maxMessageBytes: Setting<Int> = .integer(
            "max_message_bytes", 1...(1 << 30), env: .suffix("MAX_MESSAGE_BYTES"), default: 128 << 20,
            summary: "grpc: the largest request message let through (128 MiB, as the SDKs send); over it: RESOURCE_EXHAUSTED")
        static let callsWithoutNamespace: Setting<String> = .string(
            "calls_without_namespace", env: .suffix("CALLS_WITHOUT_NAMESPACE"), default: TemporalCallPolicy.defaultCallsWithoutNamespace,
            summary: "grpc: the calls that name no namespace a principal may make (Service/Method, space-separated)")
        static let healthService: Setting<String> = .string(
            "health_service", default: "temporal.api.workflowservice.v1.WorkflowService",
            summary: "gRPC health service name the probe checks")
    }
}
