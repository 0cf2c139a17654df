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

    /// A registry holding every shipped kind.
    public static func registry() -> ConnectorRegistry {
        // The list above has unique names; a duplicate is a programming error caught by tests.
        (try? ConnectorRegistry(kinds)) ?? ConnectorRegistry()
    }
}
