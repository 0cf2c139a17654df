/// A listener that could not be bound: at start the gateway does not start; on reload the new
/// configuration is refused and the running listeners stay where they are.
package struct ListenerBindError: Error, CustomStringConvertible {
    package let listener: String
    package let address: HostPort
    package let reason: String

    package var description: String {
        let key = listener == "http" ? "gateway.listen" : "connector '\(listener.dropFirst(4))' listen address"
        return "\(key): cannot listen on \(address): \(reason). Pick a free address or stop what holds it."
    }
}
