import Foundation

/// Names of environment variables.
enum EnvName {
    static func isValid(_ name: some StringProtocol) -> Bool {
        guard let first = name.first, first == "_" || first.isASCII && first.isLetter else { return false }
        return name.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
