import NIOCore

/// The `gateway:` section: listener, the gateway's own runtime asset, principals, health settings.
public struct GatewaySettings: Sendable {
    public let settings: ResolvedSettings
    public let principals: [Principal]

    public var listen: HostPort {
        settings["listen"]?.value.addressValue ?? HostPort(host: "127.0.0.1", port: 8080)
    }
    public var runtimeAssetID: String? { settings["runtime_asset.id"]?.value.stringValue }
    public var runtimeAssetRole: String? { settings["runtime_asset.role"]?.value.stringValue }
    public var publicURL: EndpointURL? { settings["public_url"]?.value.urlValue }
    /// The HTTPS listener's address; nil without TLS.
    public var listenTLS: HostPort? { settings["listen_tls"]?.value.addressValue }
    public var tlsEnabled: Bool { listenTLS != nil }
    /// What the plain listener serves.
    public var plainHTTP: PlainHTTP {
        settings["plain_http"]?.value.stringValue.flatMap(PlainHTTP.init(rawValue:)) ?? (tlsEnabled ? .probes : .all)
    }
    /// `gateway.tls.client_ca_file`: the HTTPS listener asks for client certificates.
    public var clientCAFile: String? { settings["tls.client_ca_file"]?.value.stringValue }
    /// `gateway.tls.client_auth: required`: no handshake without a trusted client certificate.
    public var clientCertificateRequired: Bool { settings["tls.client_auth"]?.value.stringValue == "required" }
    /// `gateway.identity.pomerium`: Pomerium assertions authenticate principals.
    public var pomerium: PomeriumSettings? { PomeriumSettings(self) }
    public var tlsReloadInterval: Double { settings["tls.reload_interval"]?.value.durationValue ?? 10 }
    /// One event loop per core by default (NIO counts the cores a cgroup's CPU quota allows):
    /// measured on two cores, two loops serve 1.3-1.4x the requests of one (docs/benchmark.md).
    public var threads: Int { settings["threads"]?.value.integerValue ?? min(max(System.coreCount, 1), 64) }
    public var accessLog: Bool { settings["access_log"]?.value.boolValue ?? true }
    public var drainTimeout: Double { settings["drain_timeout"]?.value.durationValue ?? 30 }
    public var healthInterval: Double { settings["health.interval"]?.value.durationValue ?? 30 }
    public var healthTimeout: Double { settings["health.timeout"]?.value.durationValue ?? 5 }
    public var healthDegradedAfter: Double { settings["health.degraded_after"]?.value.durationValue ?? 2 }
    public var certificateExpiryWarningDays: Int { settings["health.cert_expiry_warning_days"]?.value.integerValue ?? 14 }
    public var healthConcurrency: Int { settings["health.concurrency"]?.value.integerValue ?? 8 }

    public var limits: ClientLimits { ClientLimits(settings: settings) }

    public func principal(named name: String) -> Principal? { principals.first { $0.name == name } }
}
