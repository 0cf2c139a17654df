/// A name a certificate must carry: exact, or a prefix written with one trailing `*`
/// (`spiffe://fractalops/worker/*`). Compared byte for byte, case-sensitive (a SPIFFE ID and a
/// URI path are case-sensitive; DNS names in certificates are lower case by convention).
public struct NamePattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    private let prefix: String?

    /// Nil with the reason when `text` is not a pattern: empty, or a `*` other than one at the end.
    public static func parse(_ text: String) -> Result<NamePattern, Refusal> {
        if text.isEmpty { return .failure(Refusal(reason: "it is empty")) }
        let stars = text.utf8.count { $0 == UInt8(ascii: "*") }
        if stars > 1 || (stars == 1 && !text.hasSuffix("*")) {
            return .failure(Refusal(reason: "'*' may appear once, as the last character (a prefix), and nowhere else"))
        }
        if text == "*" {
            return .failure(Refusal(reason: "'*' alone would match every certificate of the CA; write the prefix before it"))
        }
        return .success(NamePattern(text: text, prefix: stars == 1 ? String(text.dropLast()) : nil))
    }

    public struct Refusal: Error, Sendable {
        public var reason: String
    }

    private init(text: String, prefix: String?) {
        self.text = text
        self.prefix = prefix
    }

    public func matches(_ name: String) -> Bool {
        if let prefix { return name.utf8.starts(with: prefix.utf8) }
        return name.utf8.elementsEqual(text.utf8)
    }

    public var description: String { text }
}
