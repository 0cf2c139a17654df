/// What the gateway must know of one gRPC method before it forwards a call: where the request
/// message carries the namespace the call acts in, the permission it needs, and whether it is a
/// long poll (its latency is counted in buckets of its own).
public struct GRPCMethodRule: Sendable, Hashable {
    public enum Namespace: Sendable, Hashable {
        /// The namespace is the top-level string field with this number of the request message.
        case field(Int)
        /// The call acts in no namespace; it is let through only when the policy lists it.
        case none(allowed: Bool)
    }

    public var namespace: Namespace
    /// A principal permission the call needs (e.g. `manage`), besides the connector.
    public var permission: String?
    public var longPoll: Bool
    /// The request is a stream of messages; otherwise a call carries exactly one (a second one
    /// is refused: the gateway checked the first, the upstream must not act on another).
    public var clientStreaming: Bool

    public init(namespace: Namespace, permission: String? = nil, longPoll: Bool = false, clientStreaming: Bool = false) {
        self.namespace = namespace
        self.permission = permission
        self.longPoll = longPoll
        self.clientStreaming = clientStreaming
    }
}
