/// The type of a configuration setting, which decides how its text is parsed and checked.
public enum SettingType: Sendable, Hashable {
    case string
    /// An absolute http(s) base URL.
    case url
    /// A host name (optionally with :port), as in a Host header or TLS server name.
    case host
    case bool
    case integer(ClosedRange<Int>)
    /// A number from 0 to 1 (a ratio), written `0.25`.
    case fraction
    /// Seconds, written `250ms`, `5s`, `2m`, `1h`; at least `minimum`.
    case duration(minimum: Double)
    /// `host:port`; port 0 allowed for listeners when `allowAnyPort`.
    case address(allowAnyPort: Bool)
    /// A file system path.
    case path
    /// A PEM file: a path, or a secret reference (`file://`, `openbao://`) to the PEM itself.
    case pemFile
    /// An HTTP path starting with `/`.
    case httpPath
    case choice([String])
    /// A secret reference (or, when allowed, a literal).
    case secret

    var expectation: String {
        switch self {
        case .string: return "a string"
        case .url: return "an absolute http:// or https:// URL"
        case .host: return "a host name"
        case .bool: return "true or false"
        case let .integer(range): return "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .fraction: return "a number from 0 to 1, such as 0.25"
        case let .duration(minimum):
            return "a duration such as 500ms, 5s or 2m" + (minimum > 0 ? " of at least \(DurationParser.format(minimum))" : "")
        case .address: return "host:port"
        case .path: return "a file path"
        case .pemFile: return "a PEM file path, or a reference to the PEM (file://PATH, openbao://mount/path#field)"
        case .httpPath: return "a path starting with '/'"
        case let .choice(values): return "one of \(values.joined(separator: ", "))"
        case .secret: return "a secret reference (openbao://mount/path#field, env://NAME or file://PATH)"
        }
    }
}
