/// The platform's canonical noun for what a connector reaches: a runtime asset, by id and role
/// (never a raw vmid, namespace or node). Shown wherever a connector is named to operators: the
/// health report, the status page, the access line.
public struct RuntimeAsset: Sendable, Hashable {
    public var id: String
    public var role: String?

    public init(id: String, role: String?) {
        self.id = id
        self.role = role
    }
}
