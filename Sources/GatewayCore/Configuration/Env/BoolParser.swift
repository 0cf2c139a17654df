/// Booleans in env files: `true`/`false`, `1`/`0`, `yes`/`no` (any case).
package enum BoolParser {
    package static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: return nil
        }
    }
}
