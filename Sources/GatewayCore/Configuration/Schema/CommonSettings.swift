/// The keys every connector accepts, and the keys of the `gateway:` section.
enum CommonSettings {
    /// The keys of a connector with a listener of its own (a TCP kind such as Temporal): TLS
    /// terminated on that listener. Core serves these listeners, so it owns these keys.
    static let tcpListener: [SettingSpec] = [
        SettingSpec(
            "listen_tls.cert_file", .pemFile, env: .suffix("LISTEN_TLS_CERT_FILE"),
            summary: "terminate TLS on the listener with this PEM certificate chain; path or reference"),
        SettingSpec(
            "listen_tls.key_file", .pemFile, env: .suffix("LISTEN_TLS_KEY_FILE"),
            summary: "PEM private key of listen_tls.cert_file; path or reference (file://, openbao://); never shown"),
        SettingSpec(
            "listen_tls.client_ca_file", .path, env: .suffix("LISTEN_TLS_CLIENT_CA_FILE"),
            summary:
                "PEM bundle of the CA(s) of callers' client certificates (byte stream: required with principals; gRPC: optional, a call may bring a token)"
        ),
    ]

    /// The common keys only an HTTP executor reads (its URL, Host and HTTP limits): a TCP kind,
    /// with framing and limits of its own, accepts none of them.
    static let httpExecutorKeys: Set<String> = [
        "executor_url", "scim_base_url", "host_header", "limits.connect_timeout", "limits.first_byte_timeout",
        "limits.idle_timeout", "limits.max_body_bytes", "limits.max_connections",
    ]

    static let connector: [SettingSpec] = [
        SettingSpec("description", .string, summary: "free text for people"),
        ConnectorKey.enabled.spec,
        SettingSpec(
            "mode", .string, env: .suffix("MODE"),
            summary: "domain classification (project, jit, ...); never changes routing"),
        SettingSpec(
            "connector_mode", .choice(ConnectorMode.allNames), env: .suffix("CONNECTOR_MODE"),
            summary: "execution mode override"),
        SettingSpec(
            "integration_mode", .choice(ConnectorMode.allNames), env: .suffix("INTEGRATION_MODE"),
            summary: "synonym of connector_mode"),
        SettingSpec(
            "public_url", .url, env: .suffix("PUBLIC_URL"),
            summary: "what browsers use; never used for machine traffic"),
        SettingSpec(
            "executor_url", .url, env: .suffix("EXECUTOR_URL"),
            summary: "the machine path: all machine traffic goes here and only here"),
        SettingSpec(
            "internal_url", .url, env: .suffix("INTERNAL_URL"),
            summary: "implementation detail; never used for machine traffic"),
        SettingSpec(
            "scim_base_url", .url, env: .suffix("SCIM_BASE_URL"),
            summary: "SCIM 2.0 base; the executor URL under connector_mode=scim"),
        SettingSpec(
            "host_header", .host, env: .suffix("HOST_HEADER"),
            summary: "Host header sent to the executor"),
        ConnectorKey.verifyTLS.spec,
        SettingSpec(
            "ca_file", .path, env: .suffix("CA_FILE"),
            summary: "PEM bundle of the CA that issued the executor's certificate"),
        SettingSpec(
            "tls_server_name", .host, env: .suffix("TLS_SERVER_NAME"),
            summary: "SNI and certificate name when the executor URL names an address"),
        SettingSpec(
            "client_cert_file", .pemFile, env: .suffix("CLIENT_CERT_FILE"),
            summary: "PEM certificate (chain) the gateway presents to the executor (upstream mTLS); path or reference"),
        SettingSpec(
            "client_key_file", .pemFile, env: .suffix("CLIENT_KEY_FILE"),
            summary: "PEM private key of client_cert_file; path or reference (file://, openbao://); never shown"),
        ConnectorKey.clientCertOptional.spec,
        SettingSpec(
            "runtime_asset.id", .string, env: .suffix("RUNTIME_ASSET_ID"),
            summary: "canonical runtime asset selector: id"),
        SettingSpec(
            "runtime_asset.role", .string, env: .suffix("RUNTIME_ASSET_ROLE"),
            summary: "canonical runtime asset selector: role"),
        SettingSpec("health.path", .httpPath, summary: "probe path override"),
        SettingSpec("health.interval", .duration(minimum: 1), summary: "probe interval override"),
        SettingSpec("health.timeout", .duration(minimum: 0.05), summary: "probe timeout override"),
        SettingSpec(
            "health.degraded_after", .duration(minimum: 0.001),
            summary: "a probe slower than this reports degraded"),
        ConnectorKey.connectTimeout.spec,
        ConnectorKey.firstByteTimeout.spec,
        ConnectorKey.idleTimeout.spec,
        ConnectorKey.maxBodyBytes.spec,
        ConnectorKey.maxConnections.spec,
        ConnectorKey.maxTunnels.spec,
        ConnectorKey.tunnelIdleTimeout.spec,
        SettingSpec(
            "limits.max_in_flight", .integer(1...1_000_000),
            summary: "requests to this connector in progress at once, all callers (per gateway replica); over it: 429"),
    ]

    static let gateway: [SettingSpec] =
        [
            GatewayKey.listen.spec,
            SettingSpec(
                "listen_tls", .address(allowAnyPort: true), env: .variable("FRACTALOPS_GATEWAY_LISTEN_TLS"),
                summary: "HTTPS listener (every route; needs tls.cert_file and tls.key_file)"),
            SettingSpec(
                "plain_http", .choice(["all", "probes", "off"]), env: .variable("FRACTALOPS_GATEWAY_PLAIN_HTTP"),
                summary:
                    "what the plain listener (listen) serves: all routes, only /livez, /readyz and /metrics, or nothing; default: all without TLS, probes with it"
            ),
            SettingSpec(
                "tls.cert_file", .pemFile, env: .variable("FRACTALOPS_GATEWAY_TLS_CERT_FILE"),
                summary: "PEM certificate chain of the HTTPS listener; path or reference"),
            SettingSpec(
                "tls.key_file", .pemFile, env: .variable("FRACTALOPS_GATEWAY_TLS_KEY_FILE"),
                summary: "PEM private key of the HTTPS listener; path or reference (file://, openbao://); never shown"),
            SettingSpec(
                "tls.client_ca_file", .path, env: .variable("FRACTALOPS_GATEWAY_TLS_CLIENT_CA_FILE"),
                summary: "PEM bundle of the CA(s) whose client certificates the HTTPS listener accepts (mTLS; certificate principals)"),
            SettingSpec(
                "tls.client_auth", .choice(["optional", "required"]), env: .variable("FRACTALOPS_GATEWAY_TLS_CLIENT_AUTH"),
                summary:
                    "with tls.client_ca_file: required refuses a handshake without a trusted client certificate; optional (default) lets a token alone authenticate"
            ),
            GatewayKey.tlsReloadInterval.spec,
            SettingSpec(
                "identity.pomerium.issuer", .string, env: .variable("FRACTALOPS_POMERIUM_ISSUER"),
                summary: "the iss every Pomerium assertion (X-Pomerium-Jwt-Assertion) must carry"),
            SettingSpec(
                "identity.pomerium.jwks_url", .url, env: .variable("FRACTALOPS_POMERIUM_JWKS_URL"),
                summary: "where Pomerium publishes its signing keys (https://<authenticate>/.well-known/pomerium/jwks.json)"),
            SettingSpec(
                "identity.pomerium.audience", .string, env: .variable("FRACTALOPS_POMERIUM_AUDIENCE"),
                summary: "the aud every assertion must include (the gateway's host name as Pomerium routes it)"),
            GatewayKey.pomeriumRefreshInterval.spec,
            GatewayKey.pomeriumMaxStale.spec,
            GatewayKey.pomeriumLeeway.spec,
            SettingSpec(
                "public_url", .url, env: .variable("FRACTALOPS_GATEWAY_PUBLIC_URL"),
                summary:
                    "how callers reach the gateway (for URLs it rewrites); default: the listener's scheme (https:// on the TLS one) + the caller's Host"
            ),
            SettingSpec(
                "runtime_asset.id", .string, env: .variable("FRACTALOPS_RUNTIME_ASSET_ID"),
                summary: "the gateway's own runtime asset id"),
            SettingSpec(
                "runtime_asset.role", .string, env: .variable("FRACTALOPS_RUNTIME_ASSET_ROLE"),
                summary: "the gateway's own runtime asset role"),
            SettingSpec(
                "threads", .integer(1...64), env: .variable("FRACTALOPS_GATEWAY_THREADS"),
                summary: "event-loop threads; default one per core the process may use (see the benchmark)"),
            GatewayKey.accessLog.spec,
            GatewayKey.drainTimeout.spec,
            GatewayKey.healthInterval.spec,
            GatewayKey.healthTimeout.spec,
            GatewayKey.healthDegradedAfter.spec,
            GatewayKey.certificateExpiryWarningDays.spec,
            GatewayKey.healthConcurrency.spec,
        ] + ClientLimits.settingSpecs + openBao + telemetry
    // gateway.limits (ClientLimits+Settings.swift), gateway.openbao (CommonSettings+OpenBao.swift),
    // gateway.telemetry (CommonSettings+Telemetry.swift)

    static let principal: [SettingSpec] = [
        SettingSpec("name", .string, required: true, summary: "the caller's name"),
        SettingSpec("token", .secret, summary: "reference to the bearer token the caller presents (a token, a certificate, or both)"),
        SettingSpec(
            "certificate.uri_san", .string,
            summary: "a URI SAN the caller's client certificate carries (spiffe://...), exact or with one trailing '*'"),
        SettingSpec(
            "certificate.dns_san", .string,
            summary: "a DNS SAN the caller's client certificate carries, exact or with one trailing '*'"),
        SettingSpec(
            "certificate.subject_cn", .string,
            summary: "the subject common name of the caller's client certificate, exact or with one trailing '*'"),
        SettingSpec("description", .string, summary: "free text for people"),
        SettingSpec(
            "rate.requests_per_second", .integer(1...1_000_000),
            summary: "token bucket refill: requests per second this caller may make (per gateway replica); over it: 429"),
        SettingSpec(
            "rate.burst", .integer(1...1_000_000), summary: "token bucket size: requests at once after a pause (default: requests_per_second)"),
        PrincipalKey.ratePerConnector.spec,
        SettingSpec(
            "max_in_flight", .integer(1...1_000_000),
            summary: "requests of this caller in progress at once (per gateway replica); over it: 429"),
        SettingSpec(
            "max_tunnels", .integer(1...1_000_000),
            summary: "WebSocket tunnels of this caller open at once (per gateway replica); over it: 503"),
    ]

    /// Keys that name raw infrastructure instead of a runtime asset (rule 5).
    static let rawInfraSelectors: Set<String> = [
        "vmid", "vm_id", "ctid", "ct_id", "lxc_id", "container_id", "namespace", "k8s_namespace",
        "node", "pve_node", "proxmox_node", "node_name", "pod", "pod_name", "hypervisor",
    ]

    /// Keys that would make machine traffic fall back to another contract (rule 4).
    static let fallbackKeys: Set<String> = [
        "fallback_url", "executor_fallback", "fallback", "fallback_to_public", "use_public_url",
        "executor_fallback_url",
    ]

    /// Host suffixes that only resolve inside a cluster (rule 7).
    static let clusterInternalSuffixes = [".svc", ".svc.cluster.local", ".cluster.local"]

    static func isClusterInternal(host: String) -> Bool {
        var lower = host.lowercased()
        if lower.hasSuffix(".") { lower.removeLast() }  // a fully qualified name's root dot
        return clusterInternalSuffixes.contains { lower.hasSuffix($0) }
    }
}
