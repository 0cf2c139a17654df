/// Declares one configuration key: its dotted name (`health.timeout`), type, default and the
/// environment variable that may override it.
public struct SettingSpec: Sendable, Hashable {
    public enum EnvBinding: Sendable, Hashable {
        case none
        /// Appended to the connector's prefix: `EXECUTOR_URL` -> `FRACTALOPS_LANGBOARD_EXECUTOR_URL`.
        case suffix(String)
        /// A fixed variable name, for gateway-wide settings.
        case variable(String)
    }

    public var key: String
    public var type: SettingType
    public var env: EnvBinding
    public var defaultValue: SettingValue?
    public var required: Bool
    public var summary: String

    public init(
        _ key: String, _ type: SettingType, env: EnvBinding = .none, default defaultValue: SettingValue? = nil,
        required: Bool = false, summary: String
    ) {
        self.key = key
        self.type = type
        self.env = env
        self.defaultValue = defaultValue
        self.required = required
        self.summary = summary
    }

    /// The variable that overrides this key for a connector with the given env prefix.
    public func variable(prefix: String) -> String? {
        switch env {
        case .none: return nil
        case let .suffix(suffix): return prefix + suffix
        case let .variable(name): return name
        }
    }
}
