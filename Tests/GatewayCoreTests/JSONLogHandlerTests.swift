import Foundation
import Logging
import Synchronization
import Testing

@testable import GatewayCore

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    /// Collects the lines a handler writes.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    static let fixedTime = LogTimestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)

    static func logger(_ lines: Lines, level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "gateway") { label in
            JSONLogHandler(label: label, write: { lines.append($0) }, clock: { fixedTime })
        }
        logger.logLevel = level
        return logger
    }

    static func object(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false, "one event, one line: \(line)")
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(value as? [String: Any])
    }

    @Test("an access line carries time, level, message and the stable request_id/connector/principal keys")
    func accessLineShape() throws {
        let lines = Lines()
        Self.logger(lines).info(
            "access",
            metadata: [
                "gateway.request_id": "req-42", "gateway.connector": "langboard", "gateway.principal": "worker",
                "http.method": "GET", "http.status": "200", "gateway.bytes_out": "17",
            ])
        let line = try #require(lines.all.first)
        let object = try Self.object(line)
        #expect(object["time"] as? String == "2023-11-14T22:13:20.123Z")
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "access")
        #expect(object["request_id"] as? String == "req-42")
        #expect(object["connector"] as? String == "langboard")
        #expect(object["principal"] as? String == "worker")
        #expect(object["logger"] as? String == "gateway")
        #expect(object["source"] as? String == "GatewayCoreTests")
        #expect(object["http.method"] as? String == "GET")
        #expect(object["http.status"] as? String == "200")
        #expect(object["gateway.bytes_out"] as? String == "17")
        #expect(object["gateway.request_id"] == nil && object["gateway.connector"] == nil && object["gateway.principal"] == nil)
        // The field order is fixed, so a person reading the raw line finds the same things first.
        #expect(
            line.hasPrefix(
                #"{"time":"2023-11-14T22:13:20.123Z","level":"info","message":"access","request_id":"req-42","connector":"langboard","principal":"worker","logger":"gateway""#
            ))
    }

    @Test("messages and values with quotes, backslashes, control characters and non-ASCII stay one valid line")
    func escaping() throws {
        let tricky =
            "quote \" backslash \\ newline \n return \r tab \t bell \u{07} nul \u{00} esc \u{1B} unit \u{1F} é 日本 🚀 sep \u{2028}\u{2029} del \u{7F}"
        let lines = Lines()
        Self.logger(lines).warning("\(tricky)", metadata: ["gateway.connector": "\(tricky)", tricky: "key too"])
        let line = try #require(lines.all.first)
        #expect(
            line.contains(
                #"quote \" backslash \\ newline \n return \r tab \t bell \u0007 nul \u0000 esc \u001b unit \u001f é 日本 🚀 sep \u2028\u2029 del "#))
        let object = try Self.object(line)
        #expect(object["message"] as? String == tricky)
        #expect(object["connector"] as? String == tricky)
        #expect(object[tricky] as? String == "key too")
        #expect(object["level"] as? String == "warning")
    }

    @Test("nested metadata keeps its shape; a key that repeats a written field moves under metadata.")
    func nestedValuesAndCollisions() throws {
        let lines = Lines()
        var logger = Self.logger(lines)
        logger[metadataKey: "gateway.runtime_asset"] = ["id": "connector-gateway", "role": "gateway"]
        logger.error(
            "upstream failed",
            metadata: [
                "message": "from metadata", "time": "not the time", "request_id": "raw", "gateway.request_id": "req-1",
                "gateway.upstreams": ["a", "b", .stringConvertible(3)],
            ])
        let object = try Self.object(try #require(lines.all.first))
        #expect(object["message"] as? String == "upstream failed")
        #expect(object["metadata.message"] as? String == "from metadata")
        #expect(object["time"] as? String == "2023-11-14T22:13:20.123Z")
        #expect(object["metadata.time"] as? String == "not the time")
        #expect(object["request_id"] as? String == "req-1")
        #expect(object["metadata.request_id"] as? String == "raw")
        #expect(object["gateway.runtime_asset"] as? [String: String] == ["id": "connector-gateway", "role": "gateway"])
        #expect(object["gateway.upstreams"] as? [String] == ["a", "b", "3"])
    }

    @Test("metadata merges logger, provider, then call (later wins); errors add error.message and error.type; levels filter")
    func mergingAndLevels() throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "it broke" } }
        let lines = Lines()
        var logger = Logger(label: "gateway") { label in
            JSONLogHandler(
                label: label, metadataProvider: .init { ["gateway.connector": "from-provider", "trace": "t-1"] },
                write: { lines.append($0) }, clock: { Self.fixedTime })
        }
        logger.logLevel = .notice
        logger[metadataKey: "gateway.connector"] = "from-logger"
        logger[metadataKey: "gateway.principal"] = "operator"
        logger.info("dropped: below the level")
        logger.notice("kept", metadata: ["gateway.connector": "from-call"])
        logger.log(level: .error, "failed", error: Broken())
        #expect(lines.all.count == 2)
        let kept = try Self.object(lines.all[0])
        #expect(kept["connector"] as? String == "from-call")
        #expect(kept["principal"] as? String == "operator")
        #expect(kept["trace"] as? String == "t-1")
        let failed = try Self.object(lines.all[1])
        #expect(failed["connector"] as? String == "from-provider")
        #expect(failed["error.message"] as? String == "it broke")
        #expect((failed["error.type"] as? String)?.hasSuffix("Broken") == true)
    }

    @Test("a Logger's level and metadata are values: changing a copy leaves the original alone")
    func valueSemantics() {
        let lines = Lines()
        var first = Self.logger(lines, level: .debug)
        first[metadataKey: "only-on"] = "first"
        var second = first
        second.logLevel = .error
        second[metadataKey: "only-on"] = "second"
        #expect(first.logLevel == .debug)
        #expect(second.logLevel == .error)
        #expect(first[metadataKey: "only-on"] == "first")
        #expect(second[metadataKey: "only-on"] == "second")
    }

    @Test(
        "time is RFC 3339 in UTC with milliseconds",
        arguments: [
            (LogTimestamp(seconds: 0), "1970-01-01T00:00:00.000Z"),
            (LogTimestamp(seconds: 951_782_400, nanoseconds: 5_000_000), "2000-02-29T00:00:00.005Z"),
            (LogTimestamp(seconds: 1_700_000_000, nanoseconds: 999_999_999), "2023-11-14T22:13:20.999Z"),
            (LogTimestamp(seconds: 4_102_444_799, nanoseconds: 1_000_000), "2099-12-31T23:59:59.001Z"),
        ])
    func timestamps(time: LogTimestamp, expected: String) {
        #expect(time.rfc3339 == expected)
    }

    @Test("now is close to Foundation's clock")
    func now() throws {
        let now = LogTimestamp.now()
        #expect(abs(Double(now.seconds) - Date().timeIntervalSince1970) < 5)
        #expect(now.rfc3339.count == 24)
    }

    @Test("lines written from many threads at once arrive whole")
    func concurrentWritesDoNotInterleave() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString).jsonl").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let writer = LogLineWriter(fileDescriptor: descriptor)
        let filler = String(repeating: "x", count: 6000)  // longer than a pipe's atomic write
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let handler = JSONLogHandler(label: "t\(task)", write: { writer.write($0) })
                    let logger = Logger(label: "t\(task)") { _ in handler }
                    for index in 0..<200 {
                        logger.info("line", metadata: ["task": "\(task)", "index": "\(index)", "filler": "\(filler)"])
                    }
                }
            }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1600)
        var seen = Set<String>()
        for line in lines {
            let object = try Self.object(line + "\n")
            #expect(object["filler"] as? String == filler)
            seen.insert("\(object["task"] ?? "")/\(object["index"] ?? "")")
        }
        #expect(seen.count == 1600)
    }
}
