/// What a connector kind is to SCIM, declared by the kind: which SCIM modes mean something for
/// it and which credential a SCIM route injects. The modes read it; a SCIM mode on a kind that
/// declares nothing for it is legal, with a warning that says what will happen.
public struct SCIMCapability: Sendable, Hashable {
    /// The kind's API is SCIM at `scim_base_url` (Nexus): its SCIM route exists in every mode
    /// but `ui_only`, also without an executor_url, and its probe goes to the SCIM base.
    public var isProvider: Bool
    /// The kind may serve SCIM at a `scim_base_url` (`connector_mode: scim` switches it in).
    public var servesSCIM: Bool
    /// The kind serves its own SCIM under its executor (`connector_mode: scim_projected`).
    public var projectsSCIM: Bool
    /// The `auth.<key>` a SCIM route injects; nil: the kind's first credential.
    public var credentialKey: String?

    public init(isProvider: Bool = false, servesSCIM: Bool = false, projectsSCIM: Bool = false, credentialKey: String? = nil) {
        self.isProvider = isProvider
        self.servesSCIM = servesSCIM || isProvider
        self.projectsSCIM = projectsSCIM
        self.credentialKey = credentialKey
    }

    /// No SCIM API is known for the kind.
    public static let none = SCIMCapability()
}
