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

    /// A registry holding every shipped kind and mode.
    public static func registry() -> ConnectorRegistry {
        // The lists above are unique; a duplicate is a programming error caught by tests.
        let modes = (try? ModeRegistry(modes)) ?? ModeRegistry()
        return (try? ConnectorRegistry(kinds, modes: modes)) ?? ConnectorRegistry(modes: modes)
    }
}
