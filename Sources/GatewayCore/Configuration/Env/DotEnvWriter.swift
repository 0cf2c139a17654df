/// Renders values so that `DotEnvFile` parses them back to exactly the same strings.
package enum DotEnvWriter {
    /// Works on scalars: "\r\n" is one Character, and a combining mark fuses with the quote
    /// or escape letter before it, so a Character-wise writer would break either.
    package static func quote(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && scalar.value > 0x20 && scalar.value != 0x7F && !"\"'#\\$`".unicodeScalars.contains(scalar)
            }
        if plain || value.isEmpty { return value }
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "$": out.append(contentsOf: "\\$".unicodeScalars)
            default: out.append(scalar)
            }
        }
        out.append("\"")
        return String(out)
    }

    package static func assignment(_ key: String, _ value: String, exported: Bool = false) -> String {
        (exported ? "export " : "") + key + "=" + quote(value)
    }
}
