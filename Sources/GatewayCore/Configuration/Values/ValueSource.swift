/// Where an effective setting came from. Rendered by `explain` and in every error.
public enum ValueSource: Sendable, Hashable, CustomStringConvertible {
    /// A key in the inventory file, e.g. `connectors.yaml:14`.
    case file(path: String, line: Int)
    /// A variable from an env file, e.g. `FRACTALOPS_LANGBOARD_HOST_HEADER from .env.generated:7`.
    case envFile(name: String, path: String, line: Int)
    /// A variable of the process environment.
    case processEnvironment(name: String)
    /// Computed from another setting, e.g. `scim_base_url (connector_mode=scim)`.
    indirect case derived(String, from: ValueSource?)
    /// The built-in default, with an optional reason.
    case defaultValue(String?)

    public var description: String {
        switch self {
        case let .file(path, line): return "\(path):\(line)"
        case let .envFile(name, path, line): return "\(name) from \(path):\(line)"
        case let .processEnvironment(name): return "\(name) from the process environment"
        case let .derived(what, from):
            if let from { return "derived: \(what), from \(from)" }
            return "derived: \(what)"
        case let .defaultValue(reason):
            if let reason { return "default (\(reason))" }
            return "default"
        }
    }

    /// True when the value was written in the inventory file (not env, not derived, not default).
    public var isInventoryFile: Bool {
        if case .file = self { return true }
        return false
    }

    /// True when the value came from an env file or the process environment.
    public var isEnvironment: Bool {
        switch self {
        case .envFile, .processEnvironment: return true
        default: return false
        }
    }
}

extension ValueSource {
    public var isDefaultValue: Bool {
        if case .defaultValue = self { return true }
        return false
    }
}
