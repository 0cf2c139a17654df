/// One call to OpenBao's HTTP API, independent of the HTTP client: what `openbao://` references,
/// logins, renewals and writes turn into.
package struct OpenBaoRequest: Sendable {
    package enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    package var method: Method
    /// The API path after `/v1/`, each segment percent-encoded: `secret/data/connectors/langboard`.
    package var path: String
    /// The query string without `?` (`version=3`), when there is one.
    package var query: String?
    /// The JSON body. It may carry credentials (logins) or secret values (writes), hence a
    /// `SecretValue`: it prints as `<redacted>`.
    package var body: SecretValue?
    /// Strings the request carries as credentials, blanked out of OpenBao's error text.
    package var credentials: [SecretValue] = []
    /// Whether the gateway's token goes with the request (`X-Vault-Token`); logins go without.
    package var authenticated: Bool
    /// For messages: `reading secret/data/connectors/langboard`.
    package var what: String

    /// `address` + `/v1/` + path (+ `?query`).
    package func url(address: EndpointURL) -> String {
        "\(address)/v1/\(path)" + (query.map { "?\($0)" } ?? "")
    }

    /// The headers: the token when authenticated, the namespace when one is configured, and a
    /// JSON content type for bodies.
    package func headers(namespace: String?, token: SecretValue?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if authenticated, let token { headers.append(("X-Vault-Token", token.withUnredactedValue { $0 })) }
        if let namespace, !namespace.isEmpty { headers.append(("X-Vault-Namespace", namespace)) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return headers
    }

    // MARK: - The calls the gateway makes

    /// KV v2 read: `GET /v1/<mount>/data/<path>[?version=N]`.
    package static func kvRead(mount: String, path: String, version: Int?) -> OpenBaoRequest {
        let location = "\(encode(mount))/data/\(encode(path))"
        return OpenBaoRequest(
            method: .get, path: location, query: version.map { "version=\($0)" }, body: nil, authenticated: true,
            what: "reading \(mount)/data/\(path)" + (version.map { " version \($0)" } ?? ""))
    }

    /// The read an `openbao://` reference needs; nil for `env://` and `file://`.
    package static func kvRead(_ reference: SecretReference) -> OpenBaoRequest? {
        guard case let .openBao(mount, path, _, version) = reference else { return nil }
        return kvRead(mount: mount, path: path, version: version)
    }

    /// KV v2 write: `POST /v1/<mount>/data/<path>` with `{"options": {"cas": N}, "data": {...}}`.
    /// `cas` is the version the data was merged with (0: the secret must not exist yet).
    static func kvWrite(mount: String, path: String, data: [String: JSONValue], cas: Int?) -> OpenBaoRequest {
        var document: [String: JSONValue] = ["data": .object(data)]
        if let cas { document["options"] = .object(["cas": .number(Double(cas))]) }
        return OpenBaoRequest(
            method: .post, path: "\(encode(mount))/data/\(encode(path))", query: nil,
            body: SecretValue(JSONValue.object(document).jsonText), authenticated: true,
            what: "writing \(mount)/data/\(path)")
    }

    /// `POST /v1/auth/<mount>/login` with the role id and secret id.
    package static func appRoleLogin(mount: String, roleID: SecretValue, secretID: SecretValue) -> OpenBaoRequest {
        let body = roleID.withUnredactedValue { role in
            secretID.withUnredactedValue { secret in
                JSONValue.object(["role_id": .string(role), "secret_id": .string(secret)]).jsonText
            }
        }
        return OpenBaoRequest(
            method: .post, path: "auth/\(encode(mount))/login", query: nil, body: SecretValue(body),
            credentials: [roleID, secretID], authenticated: false, what: "the AppRole login at auth/\(mount)")
    }

    /// `POST /v1/auth/<mount>/login` with the role and the service account token.
    package static func kubernetesLogin(mount: String, role: String, jwt: SecretValue) -> OpenBaoRequest {
        let body = jwt.withUnredactedValue { JSONValue.object(["role": .string(role), "jwt": .string($0)]).jsonText }
        return OpenBaoRequest(
            method: .post, path: "auth/\(encode(mount))/login", query: nil, body: SecretValue(body),
            credentials: [jwt], authenticated: false, what: "the Kubernetes login at auth/\(mount) as role '\(role)'")
    }

    /// `GET /v1/auth/token/lookup-self`: the token's TTL and whether it is renewable.
    package static let lookupSelf = OpenBaoRequest(
        method: .get, path: "auth/token/lookup-self", query: nil, body: nil, authenticated: true,
        what: "the token lookup (auth/token/lookup-self)")

    /// `POST /v1/auth/token/renew-self`.
    package static let renewSelf = OpenBaoRequest(
        method: .post, path: "auth/token/renew-self", query: nil, body: SecretValue("{}"), authenticated: true,
        what: "the token renewal (auth/token/renew-self)")

    /// Percent-encodes each `/`-separated segment (the slashes stay).
    static func encode(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            var out = ""
            for byte in segment.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                    UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "@"), UInt8(ascii: ":"):
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    let hex = Array("0123456789ABCDEF")
                    out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
                }
            }
            return out
        }.joined(separator: "/")
    }
}
