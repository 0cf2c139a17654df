import Foundation

/// Decides whether a value is a URL that carries a credential: a password before the host (or,
/// on http(s)/ws(s), a user name alone, where tokens are sent that way), or a query or fragment
/// parameter named like a secret (`token`, `access_token`,
/// `api_key`, `key`, `auth`, `sig`, `DAYTONA_SANDBOX_AUTH_KEY`, ...). Any `scheme://` counts
/// (`postgres://user:pass@db/app` as much as `https://host/?token=...`); references
/// (`openbao://`, `env://`, `file://`) never do. Only names are reported, never values.
package enum CredentialURL {
    /// Where the credential sits in the URL.
    package enum Carrier: Sendable, Hashable, CustomStringConvertible {
        case userinfo
        case parameter(String)

        package var description: String {
            switch self {
            case .userinfo: return "a user name or password before the host"
            case let .parameter(name): return "the parameter '\(name)'"
            }
        }
    }

    /// Schemes on which a user name alone before the host is taken for a token.
    static let tokenUserSchemes: Set<String> = ["http", "https", "ws", "wss"]

    /// Parameter names that carry a credential although `SensitiveKey` does not see one in them
    /// (too short or too general to be markers in variable names).
    static let parameterNames: Set<String> = ["key", "auth", "sig", "signature", "pass", "pwd", "apikey", "code"]

    /// The carriers in `value`, in the order they appear; empty when the value is not a URL or
    /// carries nothing.
    package static func carriers(in value: String) -> [Carrier] {
        guard let schemeEnd = value.range(of: "://"), !SecretReference.schemes.contains(where: value.hasPrefix) else { return [] }
        let scheme = value[..<schemeEnd.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return [] }
        let rest = value[schemeEnd.upperBound...]
        var carriers: [Carrier] = []
        let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@"), at > rest.startIndex {
            // A password is a credential wherever it is; a user alone only on the web schemes,
            // where a token in the user slot is a common way to send one (ssh://git@host and
            // postgres://app@db name a user, not a secret).
            let userinfo = rest[..<at]
            if userinfo.contains(":") || Self.tokenUserSchemes.contains(scheme.lowercased()) {
                carriers.append(.userinfo)
            }
        }
        let afterAuthority = rest[authorityEnd...]
        var parameters: [Substring] = []
        if let question = afterAuthority.firstIndex(of: "?") {
            let query = afterAuthority[afterAuthority.index(after: question)...].prefix { $0 != "#" }
            parameters += query.split(separator: "&")
        }
        if let hash = afterAuthority.firstIndex(of: "#") {
            parameters += afterAuthority[afterAuthority.index(after: hash)...].split(separator: "&")
        }
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            let name = String(parameter[..<equals]).removingPercentEncoding ?? String(parameter[..<equals])
            let value = parameter[parameter.index(after: equals)...]
            if !value.isEmpty, isCredentialParameter(name), !carriers.contains(.parameter(name)) {
                carriers.append(.parameter(name))
            }
        }
        return carriers
    }

    package static func isCredentialParameter(_ name: String) -> Bool {
        SensitiveKey.isSensitive(name) || parameterNames.contains(name.lowercased())
    }
}
