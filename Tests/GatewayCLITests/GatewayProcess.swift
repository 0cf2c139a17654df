import Foundation

/// Runs the built `gateway` executable, as an operator would.
struct GatewayProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// From start to exit, taken off the test pool: a busy pool does not add to it.
        var elapsed: Duration
        var all: String { stdout + stderr }
    }

    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The executable: `GATEWAY_BIN`, else next to the test bundle, else `.build/debug/gateway`.
    static let executable: URL = {
        if let path = ProcessInfo.processInfo.environment["GATEWAY_BIN"] { return URL(fileURLWithPath: path) }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gateway"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("gateway"),
            packageRoot.appendingPathComponent(".build/debug/gateway"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    /// The process environment for a child: this one without any FRACTALOPS_ variable, plus `extra`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FRACTALOPS_") }
        for (key, value) in extra { env[key] = value }
        return env
    }

    /// Runs the gateway to completion with `arguments` in `directory` (default: the package root).
    /// It waits without holding a thread: the tests run in parallel on a pool as wide as the machine
    /// has cores, and a blocked thread would delay every other test's timers.
    static func run(
        _ arguments: [String], in directory: URL = packageRoot, environment extra: [String: String] = [:]
    ) async throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment(extra)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        let elapsed = try await exit(of: process)
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "", elapsed: elapsed)
    }

    /// Starts `process` and returns, once it has exited, how long it ran, without blocking a thread.
    static func exit(of process: Process) async throws -> Duration {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Duration, Error>) in
            let started = ContinuousClock.now
            process.terminationHandler = { _ in continuation.resume(returning: ContinuousClock.now - started) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }

    /// A scratch folder for a test's files.
    static func makeScratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
