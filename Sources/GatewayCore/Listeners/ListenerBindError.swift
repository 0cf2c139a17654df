/// A listener that could not be bound: at start the gateway does not start; on reload the new
/// configuration is refused and the running listeners stay where they are.
public struct ListenerBindError: Error, CustomStringConvertible {
    public let listener: String
    public let address: HostPort
    public let reason: String

    public var description: String {
        let key = listener == "http" ? "gateway.listen" : "connector '\(listener.dropFirst(4))' listen address"
        return "\(key): cannot listen on \(address): \(reason). Pick a free address or stop what holds it."
    }
}
