import Logging
import Synchronization

/// The log handler given to the tracing library as its diagnostic logger: it reads the
/// library's warnings about dropped spans into `SpanDrops` and ignores the rest.
struct SpanExportDiagnostics: LogHandler {
    let drops: SpanDrops
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let text = event.message.description
        if text.hasPrefix("Failed to export batch"), let size = all["batch_size"].flatMap({ Int("\($0)") }) {
            drops.dropped(size, because: "export_failed", detail: all["error"].map { "\($0)" } ?? text)
        } else if text.hasPrefix("Spans were dropped"), let count = all["dropped_count"].flatMap({ Int("\($0)") }) {
            drops.dropped(count, because: "queue_full", detail: text)
        }
    }
}
