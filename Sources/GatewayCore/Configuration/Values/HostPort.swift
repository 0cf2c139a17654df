/// A `host:port` address, as used by listeners and the Temporal executor address.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`. Port 0 is accepted only when `allowAnyPort` is set
    /// (listeners may ask the system for a free port).
    public init?(parsing text: String, allowAnyPort: Bool = false) {
        guard !text.contains(where: { $0.isWhitespace }), !text.contains("/") else { return nil }
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                text[text.index(after: close)...].hasPrefix(":")
            else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { return nil }
        }
        guard !hostPart.isEmpty, !portPart.isEmpty, portPart.utf8.count <= 5,
            portPart.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(portPart),
            (allowAnyPort ? 0 : 1)...65535 ~= port
        else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
