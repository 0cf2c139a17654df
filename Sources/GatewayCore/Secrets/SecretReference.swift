import Foundation

/// Where a secret lives: `openbao://<mount>/<path>#<field>[?version=N]`, `env://NAME` or
/// `file://PATH`. A reference is not itself secret and may be printed.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    case openBao(mount: String, path: String, field: String, version: Int?)
    case environment(name: String)
    case file(path: String)

    public static let schemes = ["openbao://", "env://", "file://"]

    /// True when the text is meant as a reference (has a `scheme://` prefix), valid or not.
    public static func looksLikeReference(_ text: String) -> Bool {
        guard let range = text.range(of: "://") else { return false }
        let scheme = text[..<range.lowerBound]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" }
    }

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownScheme(String)
        case malformed(String)

        public var description: String {
            switch self {
            case let .unknownScheme(scheme):
                return "the reference scheme '\(scheme)://' is not one of openbao://, env://, file://"
            case let .malformed(why): return why
            }
        }
    }

    public init(parsing text: String) throws(ParseError) {
        if text.hasPrefix("openbao://") {
            try self.init(openBao: String(text.dropFirst("openbao://".count)))
        } else if text.hasPrefix("env://") {
            let name = String(text.dropFirst("env://".count))
            guard EnvName.isValid(name) else {
                throw .malformed("'env://' must be followed by a variable name of letters, digits and '_'")
            }
            self = .environment(name: name)
        } else if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard !path.isEmpty else { throw .malformed("'file://' must be followed by a path") }
            self = .file(path: path)
        } else {
            let scheme = text.range(of: "://").map { String(text[..<$0.lowerBound]) } ?? text
            throw .unknownScheme(scheme)
        }
    }

    private init(openBao body: String) throws(ParseError) {
        var rest = Substring(body)
        var version: Int?
        // `?version=N` may stand before the `#field` (URL order) or after it.
        if let question = rest.firstIndex(of: "?") {
            var query = rest[rest.index(after: question)...]
            var tail: Substring = ""
            if let hash = query.firstIndex(of: "#") {
                tail = query[hash...]
                query = query[..<hash]
            }
            guard query.hasPrefix("version="), let number = Int(query.dropFirst("version=".count)), number > 0 else {
                throw .malformed("the only query an openbao:// reference takes is '?version=N' with N a positive whole number")
            }
            version = number
            rest = rest[..<question] + tail
        }
        guard let hash = rest.firstIndex(of: "#") else {
            throw .malformed("an openbao:// reference needs '#<field>' naming the field inside the secret")
        }
        let field = rest[rest.index(after: hash)...]
        let location = rest[..<hash]
        guard let slash = location.firstIndex(of: "/") else {
            throw .malformed("an openbao:// reference needs '<mount>/<path>', e.g. openbao://secret/connectors/langboard#api_key")
        }
        let mount = location[..<slash]
        let path = location[location.index(after: slash)...]
        guard !mount.isEmpty, !path.isEmpty, !path.hasSuffix("/"), !path.contains("//") else {
            throw .malformed("an openbao:// reference needs a non-empty mount and path, e.g. openbao://secret/connectors/langboard#api_key")
        }
        guard !field.isEmpty, !field.contains("#"), !field.contains("/") else {
            throw .malformed("the field after '#' must be a single non-empty name")
        }
        self = .openBao(mount: String(mount), path: String(path), field: String(field), version: version)
    }

    public var description: String {
        switch self {
        case let .openBao(mount, path, field, version):
            return "openbao://\(mount)/\(path)#\(field)" + (version.map { "?version=\($0)" } ?? "")
        case let .environment(name): return "env://\(name)"
        case let .file(path): return "file://\(path)"
        }
    }
}
