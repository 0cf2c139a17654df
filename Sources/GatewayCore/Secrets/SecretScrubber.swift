import Foundation

/// Replaces every resolved secret value in text the gateway shows (health excerpts and reasons)
/// with `<redacted>`: an upstream that echoes the request it got, credential header included,
/// cannot make a report carry the credential. Values shorter than 4 characters are left alone
/// (they would shred every text and protect nothing).
package struct SecretScrubber: Sendable {
    private let values: [String]

    package static let none = SecretScrubber(values: [])

    package init(_ store: SecretStore) {
        self.init(values: store.values.values.map { $0.withUnredactedValue { $0 } })
    }

    init(values: [String]) {
        // Longest first, so a value that contains another is replaced whole.
        self.values = Set(values.filter { $0.utf8.count >= 4 }).sorted { $0.utf8.count > $1.utf8.count }
    }

    /// One scrubber for the values of all of `scrubbers`.
    package init(merging scrubbers: [SecretScrubber]) {
        self.init(values: scrubbers.flatMap(\.values))
    }

    package var isEmpty: Bool { values.isEmpty }

    package func scrub(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var text = text
        for value in values where text.contains(value) {
            text = text.replacingOccurrences(of: value, with: "<redacted>")
        }
        return text
    }

    package func scrub(_ text: String?) -> String? {
        text.map { scrub($0) }
    }
}
