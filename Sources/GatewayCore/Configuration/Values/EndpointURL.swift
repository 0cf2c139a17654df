import Foundation

/// An absolute `http` or `https` URL naming an upstream: scheme, host, optional port and path.
///
/// Deliberately stricter than a general URL parser: credentials in the URL (userinfo), query
/// strings and fragments are refused, because they would leak secrets into logs or change
/// requests behind the operator's back.
public struct EndpointURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable { case http, https }

    public var scheme: Scheme
    /// Host name or IP address; IPv6 literals without brackets.
    public var host: String
    public var explicitPort: Int?
    /// The path prefix, without a trailing slash (empty for the root).
    public var path: String

    public var port: Int { explicitPort ?? (scheme == .https ? 443 : 80) }

    /// The host as it appears in a URL or a Host header (IPv6 bracketed).
    public var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

    /// `host[:port]` as a Host header would carry it for this URL.
    public var authority: String {
        explicitPort.map { "\(hostForURL):\($0)" } ?? hostForURL
    }

    public var description: String { "\(scheme.rawValue)://\(authority)\(path)" }

    public enum ParseError: Error, Sendable, Equatable {
        case notAbsolute
        case unsupportedScheme(String)
        case missingHost
        case userInfo
        case badPort(String)
        case queryOrFragment
        case whitespace
        case unbracketedIPv6
    }

    public init(scheme: Scheme, host: String, port: Int? = nil, path: String = "") {
        self.scheme = scheme
        self.host = host
        self.explicitPort = port
        self.path = path
    }

    public init(parsing text: String) throws(ParseError) {
        if text.contains(where: { $0.isWhitespace }) { throw .whitespace }
        guard let schemeEnd = text.range(of: "://") else { throw .notAbsolute }
        let schemeText = text[..<schemeEnd.lowerBound].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else { throw .unsupportedScheme(schemeText) }
        let rest = text[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") { throw .queryOrFragment }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        if authority.contains("@") { throw .userInfo }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .missingHost }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .missingHost }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
            // An IPv6 address must be bracketed; a ':' left in the host means it was not.
            if host.contains(":") { throw .unbracketedIPv6 }
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .missingHost }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), portText.utf8.count <= 5,
                let value = Int(portText), (1...65535).contains(value)
            else { throw .badPort(String(portText)) }
            port = value
        }
        self.init(scheme: scheme, host: host.lowercased(), port: port, path: path)
    }
}

extension EndpointURL.ParseError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notAbsolute: return "it is not an absolute URL (expected http:// or https://)"
        case let .unsupportedScheme(scheme): return "its scheme '\(scheme)' is not http or https"
        case .missingHost: return "it has no host"
        case .userInfo: return "it carries credentials before '@', which would leak into logs"
        case let .badPort(port): return "its port '\(port)' is not a number from 1 to 65535"
        case .queryOrFragment: return "it has a query string or fragment, which a base URL must not carry"
        case .whitespace: return "it contains white space"
        case .unbracketedIPv6: return "an IPv6 address must be written in brackets, e.g. http://[::1]:8080"
        }
    }
}
