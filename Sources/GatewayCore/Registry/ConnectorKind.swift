/// A connector implementation, registered by kind. It declares what it supports; the core loads,
/// validates and explains every connector of that kind from this declaration.
public protocol ConnectorKind: Sendable {
    /// The value of `kind:` in the inventory, e.g. `langboard`.
    var name: String { get }
    /// One line for `explain` and `--help`.
    var summary: String { get }
    /// The mode used when neither `connector_mode` nor `integration_mode` is set.
    var defaultMode: ConnectorMode { get }
    /// The modes a connector of this kind accepts (default: every mode but `runtime_gateway`,
    /// which only credential/runtime gateways such as CLIProxy declare).
    var supportedModes: [ConnectorMode] { get }
    /// What carries the kind's machine traffic (default: HTTP to the executor URL).
    var traffic: MachineTraffic { get }
    /// What the kind is to SCIM: which SCIM modes mean something for it (default: none).
    var scim: SCIMCapability { get }
    /// The kind's own SCIM, projected on `/scim/<name>` under `connector_mode: scim_projected`.
    func projectedSCIMRoute(for connector: ConnectorConfig) -> RouteSpec?
    /// The route family the health probe goes through (default: the executor's).
    func probeFamily(for connector: ConnectorConfig) -> RouteSpec.Family
    /// The credentials this kind injects upstream.
    var credentials: [CredentialSpec] { get }
    /// Extra keys this kind accepts on its inventory entry.
    var options: [SettingSpec] { get }
    /// How the connector's machine traffic is routed (default: `defaultRoutes`, the mode's).
    func routes(for connector: ConnectorConfig) -> [RouteSpec]
    /// For TCP kinds (Temporal): the connector's listener, upstream, limits and, when the
    /// listener speaks gRPC, its call policy. Nil for HTTP kinds, and when the connector has no
    /// machine route.
    func tcpRoute(for connector: ConnectorConfig) -> TCPRouteSpec?
    /// The kind's health probe (a connector's `health.path` overrides an HTTP probe's path).
    func probe(for connector: ConnectorConfig) -> ProbeSpec
    /// Derives settings and checks what needs the whole resolved connector; appends issues.
    func finalize(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics)
}

extension ConnectorKind {
    public var scim: SCIMCapability { .none }
    public func projectedSCIMRoute(for connector: ConnectorConfig) -> RouteSpec? { nil }
    public func probeFamily(for connector: ConnectorConfig) -> RouteSpec.Family { .executor }

    /// Every mode the platform allows except `runtime_gateway`. A mode that changes nothing for
    /// the kind is accepted with a warning (`ModeBehavior.note`).
    public var supportedModes: [ConnectorMode] { ConnectorMode.allCases.filter { $0 != .runtimeGateway } }
    public var traffic: MachineTraffic { .http }
    public var credentials: [CredentialSpec] { [] }
    public var options: [SettingSpec] { [] }
    public func routes(for connector: ConnectorConfig) -> [RouteSpec] { connector.defaultRoutes }
    public func tcpRoute(for connector: ConnectorConfig) -> TCPRouteSpec? { nil }
    public func probe(for connector: ConnectorConfig) -> ProbeSpec { .http(path: "/", healthy: [200, 204]) }
    public func finalize(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {}

    /// Every key this kind accepts: the common ones its traffic reads (a TCP kind's own
    /// listener keys instead of the HTTP executor's), its credentials and its options.
    public var settingSpecs: [SettingSpec] {
        let common =
            switch traffic {
            case .http: CommonSettings.connector
            case .tcp: CommonSettings.connector.filter { !CommonSettings.httpExecutorKeys.contains($0.key) } + CommonSettings.tcpListener
            }
        return common + credentials.map(\.settingSpec) + options
    }
}
