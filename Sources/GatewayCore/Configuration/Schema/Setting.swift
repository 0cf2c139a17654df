/// A key that always has a value: its declaration (the `SettingSpec`, default included) and how
/// its value reads. Readers write `settings[ConnectorKey.verifyTLS]` and get a `Bool`;
/// the default is written once, here, and `explain` shows the same one.
public struct Setting<Value: Sendable>: Sendable {
    public let spec: SettingSpec
    public let defaultValue: Value
    let read: @Sendable (SettingValue) -> Value?

    public var key: String { spec.key }

    init(spec: SettingSpec, defaultValue: Value, read: @escaping @Sendable (SettingValue) -> Value?) {
        self.spec = spec
        self.defaultValue = defaultValue
        self.read = read
    }

    /// The value set for this key, else its default.
    public func value(in settings: ResolvedSettings) -> Value {
        settings[spec.key].flatMap { read($0.value) } ?? defaultValue
    }
}

extension Setting where Value == Bool {
    public static func bool(_ key: String, env: SettingSpec.EnvBinding = .none, default value: Bool, summary: String) -> Self {
        Setting(spec: SettingSpec(key, .bool, env: env, default: .bool(value), summary: summary), defaultValue: value) { $0.boolValue }
    }
}

extension Setting where Value == Int {
    public static func integer(
        _ key: String, _ range: ClosedRange<Int>, env: SettingSpec.EnvBinding = .none, default value: Int, summary: String
    ) -> Self {
        Setting(spec: SettingSpec(key, .integer(range), env: env, default: .integer(value), summary: summary), defaultValue: value) {
            $0.integerValue
        }
    }
}

extension Setting where Value == Double {
    /// A duration in seconds.
    public static func duration(
        _ key: String, minimum: Double, env: SettingSpec.EnvBinding = .none, default seconds: Double, summary: String
    ) -> Self {
        Setting(
            spec: SettingSpec(key, .duration(minimum: minimum), env: env, default: .duration(seconds: seconds), summary: summary),
            defaultValue: seconds
        ) { $0.durationValue }
    }

    /// A number between 0 and 1.
    public static func fraction(_ key: String, env: SettingSpec.EnvBinding = .none, default value: Double, summary: String) -> Self {
        Setting(spec: SettingSpec(key, .fraction, env: env, default: .number(value), summary: summary), defaultValue: value) {
            $0.numberValue
        }
    }
}

extension Setting where Value == String {
    public static func string(_ key: String, env: SettingSpec.EnvBinding = .none, default value: String, summary: String) -> Self {
        Setting(spec: SettingSpec(key, .string, env: env, default: .string(value), summary: summary), defaultValue: value) {
            $0.stringValue
        }
    }

    public static func choice(
        _ key: String, _ values: [String], env: SettingSpec.EnvBinding = .none, default value: String, summary: String
    ) -> Self {
        Setting(spec: SettingSpec(key, .choice(values), env: env, default: .string(value), summary: summary), defaultValue: value) {
            $0.stringValue
        }
    }
}

extension Setting where Value == HostPort {
    public static func address(
        _ key: String, allowAnyPort: Bool, env: SettingSpec.EnvBinding = .none, default value: HostPort, summary: String
    ) -> Self {
        Setting(
            spec: SettingSpec(key, .address(allowAnyPort: allowAnyPort), env: env, default: .address(value), summary: summary),
            defaultValue: value
        ) { $0.addressValue }
    }
}
