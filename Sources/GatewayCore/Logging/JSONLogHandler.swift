import Logging

/// A swift-log handler writing one JSON object per line (`JSONLogLine`) to standard error, for
/// `gateway serve --log-format json`. Each line goes out in one write, so lines from the event
/// loops and the service group never interleave.
///
/// Metadata is merged as swift-log's own stream handler does: the logger's metadata, then the
/// metadata provider's, then the log call's (later wins); an error attached to the event adds
/// `error.message` and `error.type`.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let write: @Sendable (String) -> Void
    private let clock: @Sendable () -> LogTimestamp

    /// - Parameters:
    ///   - write: receives each whole line, newline included (standard error by default).
    ///   - clock: the time of each line (now by default).
    init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = { LogLineWriter.standardError.write($0) },
        clock: @escaping @Sendable () -> LogTimestamp = { LogTimestamp.now() }
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
        self.clock = clock
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        write(
            JSONLogLine.render(
                time: clock(), level: event.level, message: event.message.description, label: label,
                source: event.source, metadata: merged))
    }
}
