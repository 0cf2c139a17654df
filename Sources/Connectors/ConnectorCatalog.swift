import GatewayCore

/// The one list of connector kinds this gateway ships. Adding a kind means adding it here.
public enum ConnectorCatalog {
    public static let kinds: [any ConnectorKind] = [
        LangboardKind(),
        NexusKind(),
        DaytonaKind(),
        CLIProxyKind(),
        TemporalKind(),
        HTTPKind(),
    ]

    /// The connector_mode implementations every kind is composed with: one per mode the
    /// platform allows.
    public static let modes: [any ModeBehavior] = StandardModes.all

    /// A registry holding every shipped kind and mode. A kind or mode listed twice is a
    /// programming error: the gateway stops at once with its name, rather than start with an
    /// empty registry that refuses every connector as of an unknown kind.
    public static func registry() -> ConnectorRegistry {
        let modes: ModeRegistry
        do { modes = try ModeRegistry(self.modes) } catch { fatalError("ConnectorCatalog.modes: \(error)") }
        do { return try ConnectorRegistry(kinds, modes: modes) } catch { fatalError("ConnectorCatalog.kinds: \(error)") }
    }
}
