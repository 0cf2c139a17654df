import Logging

/// How `gateway serve` writes its log lines to standard error: swift-log's plain text lines, or
/// one JSON object per line for a log collector (see `JSONLogHandler`).
package enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// The handler for a logger labelled `label`; the executable hands this to
    /// `LoggingSystem.bootstrap` once, before it makes its first `Logger`.
    package func makeHandler(label: String) -> any LogHandler {
        switch self {
        case .text: StreamLogHandler.standardError(label: label)
        case .json: JSONLogHandler(label: label)
        }
    }
}
