import NIOCore

/// The `gateway:` section, read once per configuration: listener, the gateway's own runtime
/// asset, principals, health settings. Every default comes from the key's declaration
/// (`CommonSettings.Gateway`).
public struct GatewaySettings: Sendable {
    public let settings: ResolvedSettings
    public let principals: [Principal]

    public let listen: HostPort
    public let runtimeAssetID: String?
    public let runtimeAssetRole: String?
    public let publicURL: EndpointURL?
    /// The HTTPS listener's address; nil without TLS.
    public let listenTLS: HostPort?
    /// What the plain listener serves: all routes without TLS, the probes with it, unless set.
    public let plainHTTP: PlainHTTP
    /// `gateway.tls.client_ca_file`: the HTTPS listener asks for client certificates.
    public let clientCAFile: String?
    /// `gateway.tls.client_auth: required`: no handshake without a trusted client certificate.
    public let clientCertificateRequired: Bool
    /// `gateway.identity.pomerium`: Pomerium assertions authenticate principals.
    package let pomerium: PomeriumSettings?
    public let tlsReloadInterval: Double
    /// One event loop per core by default (NIO counts the cores a cgroup's CPU quota allows):
    /// measured on two cores, two loops serve 1.3-1.4x the requests of one (docs/benchmark.md).
    public let threads: Int
    public let accessLog: Bool
    public let drainTimeout: Double
    public let healthInterval: Double
    public let healthTimeout: Double
    public let healthDegradedAfter: Double
    public let certificateExpiryWarningDays: Int
    public let healthConcurrency: Int
    package let limits: ClientLimits

    public init(settings: ResolvedSettings, principals: [Principal]) {
        typealias Key = GatewayKey
        self.settings = settings
        self.principals = principals
        listen = settings[Key.listen]
        runtimeAssetID = settings["runtime_asset.id"]?.value.stringValue
        runtimeAssetRole = settings["runtime_asset.role"]?.value.stringValue
        publicURL = settings["public_url"]?.value.urlValue
        listenTLS = settings["listen_tls"]?.value.addressValue
        plainHTTP =
            settings["plain_http"]?.value.stringValue.flatMap(PlainHTTP.init(rawValue:)) ?? (listenTLS != nil ? .probes : .all)
        clientCAFile = settings["tls.client_ca_file"]?.value.stringValue
        clientCertificateRequired = settings["tls.client_auth"]?.value.stringValue == "required"
        pomerium = PomeriumSettings(settings)
        tlsReloadInterval = settings[Key.tlsReloadInterval]
        threads = settings["threads"]?.value.integerValue ?? min(max(System.coreCount, 1), 64)
        accessLog = settings[Key.accessLog]
        drainTimeout = settings[Key.drainTimeout]
        healthInterval = settings[Key.healthInterval]
        healthTimeout = settings[Key.healthTimeout]
        healthDegradedAfter = settings[Key.healthDegradedAfter]
        certificateExpiryWarningDays = settings[Key.certificateExpiryWarningDays]
        healthConcurrency = settings[Key.healthConcurrency]
        limits = ClientLimits(settings: settings)
    }

    public var tlsEnabled: Bool { listenTLS != nil }

    public func principal(named name: String) -> Principal? { principals.first { $0.name == name } }
}
