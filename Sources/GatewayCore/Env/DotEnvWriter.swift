/// Renders values so that `DotEnvFile` parses them back to exactly the same strings.
public enum DotEnvWriter {
    public static func quote(_ value: String) -> String {
        let plain = value.allSatisfy { character in
            character.isASCII && !character.isWhitespace && !"\"'#\\$`".contains(character)
                && character != "\n" && character != "\r"
        }
        if plain { return value }
        var out = "\""
        for character in value {
            switch character {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "$": out += "\\$"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    public static func assignment(_ key: String, _ value: String, exported: Bool = false) -> String {
        (exported ? "export " : "") + key + "=" + quote(value)
    }
}
