/// A parsed configuration value.
public enum SettingValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case url(EndpointURL)
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case duration(seconds: Double)
    case address(HostPort)
    case secret(SecretSource)

    /// Safe to print: secrets show their reference or `<redacted literal>`.
    public var description: String {
        switch self {
        case let .string(text): return text
        case let .url(url): return url.description
        case let .bool(flag): return flag ? "true" : "false"
        case let .integer(number): return String(number)
        case let .number(number): return String(number)
        case let .duration(seconds): return DurationParser.format(seconds)
        case let .address(address): return address.description
        case let .secret(source): return source.description
        }
    }

    public var stringValue: String? { if case let .string(value) = self { return value } else { return nil } }
    public var urlValue: EndpointURL? { if case let .url(value) = self { return value } else { return nil } }
    public var boolValue: Bool? { if case let .bool(value) = self { return value } else { return nil } }
    public var integerValue: Int? { if case let .integer(value) = self { return value } else { return nil } }
    public var numberValue: Double? { if case let .number(value) = self { return value } else { return nil } }
    public var durationValue: Double? { if case let .duration(value) = self { return value } else { return nil } }
    public var addressValue: HostPort? { if case let .address(value) = self { return value } else { return nil } }
    public var secretValue: SecretSource? { if case let .secret(value) = self { return value } else { return nil } }
}
