/// A connector implementation, registered by kind. It declares what it supports; the core loads,
/// validates and explains every connector of that kind from this declaration.
public protocol ConnectorKind: Sendable {
    /// The value of `kind:` in the inventory, e.g. `langboard`.
    var name: String { get }
    /// One line for `explain` and `--help`.
    var summary: String { get }
    /// The mode used when neither `connector_mode` nor `integration_mode` is set.
    var defaultMode: ConnectorMode { get }
    /// True for credential/runtime gateways (CLIProxy): the only kinds allowed `runtime_gateway`.
    var isRuntimeGateway: Bool { get }
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
    /// Common keys that make no sense for this kind (e.g. HTTP limits for a TCP pass-through).
    var excludedCommonKeys: Set<String> { get }
    /// For kinds whose machine traffic is a TCP stream (Temporal): the option holding the
    /// upstream `host:port`. Nil for HTTP kinds, whose route is the executor URL.
    var tcpAddressKey: String? { get }
    /// How the connector's machine traffic is routed (default: `defaultRoutes`, the mode's).
    func routes(for connector: ConnectorConfig) -> [RouteSpec]
    /// For TCP kinds: the option holding the connector's own listener address.
    var tcpListenKey: String? { get }
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
    public var isRuntimeGateway: Bool { false }
    public var scim: SCIMCapability { .none }
    public func projectedSCIMRoute(for connector: ConnectorConfig) -> RouteSpec? { nil }
    public func probeFamily(for connector: ConnectorConfig) -> RouteSpec.Family { .executor }

    /// The modes a connector of this kind accepts: every mode the platform allows, except
    /// `runtime_gateway` for a kind that is not a runtime gateway. A mode that changes nothing
    /// for the kind is accepted with a warning (`ModeBehavior.note`).
    public var supportedModes: [ConnectorMode] {
        ConnectorMode.allCases.filter { $0 != .runtimeGateway || isRuntimeGateway }
    }
    public var credentials: [CredentialSpec] { [] }
    public var options: [SettingSpec] { [] }
    public var tcpAddressKey: String? { nil }
    public var excludedCommonKeys: Set<String> { [] }
    public func routes(for connector: ConnectorConfig) -> [RouteSpec] { connector.defaultRoutes }
    public var tcpListenKey: String? { nil }
    public func tcpRoute(for connector: ConnectorConfig) -> TCPRouteSpec? { nil }
    public func probe(for connector: ConnectorConfig) -> ProbeSpec { .http(path: "/", healthy: [200, 204]) }
    public func finalize(_ connector: inout ConnectorConfig, into diagnostics: inout Diagnostics) {}

    /// Every key this kind accepts: the common ones, its credentials and its options.
    public var settingSpecs: [SettingSpec] {
        CommonSettings.connector.filter { !excludedCommonKeys.contains($0.key) } + credentials.map(\.settingSpec) + options
            + (tcpListenKey == nil ? [] : CommonSettings.tcpListener)
    }
}
