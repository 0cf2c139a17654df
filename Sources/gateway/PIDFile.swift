import ArgumentParser
import Foundation
import GatewayCore
import Logging
import NIOCore

/// `serve --pid-file`: the process id for `gateway reload` and init scripts.
enum PIDFile {
    static func write(_ path: String, logger: Logger) {
        do {
            try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            logger.warning("cannot write the pid file", metadata: ["gateway.pid_file": "\(path)", "gateway.error": "\(error)"])
        }
    }

    /// Removes the file if it still names this process.
    static func remove(_ path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) == getpid()
        else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
