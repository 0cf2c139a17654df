/// How a connector kind whose listener speaks gRPC (Temporal) wants calls checked: the rule of
/// every method it knows (by `/package.Service/Method`), rules for whole services (methods a
/// table cannot list, e.g. an admin service that needs a permission), the metadata header that
/// may repeat the namespace, and the largest request message let through. A method the policy
/// does not know is refused when principals are configured: the gateway cannot tell what it
/// touches.
public struct GRPCCallPolicy: Sendable, Hashable {
    public var methods: [String: GRPCMethodRule]
    public var services: [String: GRPCMethodRule]
    /// A header that names the namespace too (`temporal-namespace`); when present it must agree
    /// with the message.
    public var namespaceHeader: String?
    /// What a principal's namespace list is called in messages (`temporal_namespaces`).
    public var namespaceListKey: String
    public var maxMessageBytes: Int

    public init(
        methods: [String: GRPCMethodRule], services: [String: GRPCMethodRule] = [:], namespaceHeader: String?,
        namespaceListKey: String, maxMessageBytes: Int
    ) {
        self.methods = methods
        self.services = services
        self.namespaceHeader = namespaceHeader
        self.namespaceListKey = namespaceListKey
        self.maxMessageBytes = maxMessageBytes
    }

    /// The rule of a call's `:path` (`/package.Service/Method`); nil for a method the policy does not know.
    public func rule(path: String) -> GRPCMethodRule? {
        if let rule = methods[path] { return rule }
        guard let service = GRPCMethodPath(path)?.service else { return nil }
        return services[service]
    }
}
