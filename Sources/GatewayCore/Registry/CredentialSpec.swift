/// How a connector kind injects its upstream credential: which `auth` key holds the secret
/// reference and which header carries it.
public struct CredentialSpec: Sendable, Hashable {
    /// The key under `auth:` (and, upper-cased, the env suffix): `api_key` -> `FRACTALOPS_<NAME>_API_KEY`.
    public var key: String
    /// The request header the credential is written to, e.g. `X-Api-Key` or `Authorization`.
    public var header: String
    /// A scheme written before the value, e.g. `Bearer`; nil writes the value alone.
    public var scheme: String?
    public var required: Bool

    public init(key: String, header: String, scheme: String? = nil, required: Bool = false) {
        self.key = key
        self.header = header
        self.scheme = scheme
        self.required = required
    }

    public var settingSpec: SettingSpec {
        SettingSpec(
            "auth.\(key)", .secret, env: .suffix(key.uppercased()), required: required,
            summary: "secret reference injected as \(header)\(scheme.map { " (\($0) scheme)" } ?? "")")
    }
}
