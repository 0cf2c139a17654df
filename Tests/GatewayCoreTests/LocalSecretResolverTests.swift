import Foundation
import Testing

@testable import GatewayCore

@Suite("LocalSecretResolver")
struct LocalSecretResolverTests {
    /// A fresh directory per test, removed when the test ends.
    final class TemporaryDirectory {
        let path: String

        init() throws {
            path =
                FileManager.default.temporaryDirectory
                .appendingPathComponent("gateway-core-tests-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path + "/secrets", withIntermediateDirectories: true)
        }

        func write(_ relativePath: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + relativePath))
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    func resolver(files: [DotEnvFile] = [], process: [String: String] = [:], base: String = "/nonexistent") -> LocalSecretResolver {
        LocalSecretResolver(environment: EnvironmentLayers(files: files, process: process), baseDirectory: base)
    }

    @Test("env:// resolves from env files and the process environment, the process winning")
    func environment() throws {
        let first = try DotEnvFile(parsing: "DEMO_KEY=from-first\nONLY_FILE=file-value\n", path: "a.env")
        let second = try DotEnvFile(parsing: "DEMO_KEY=from-second\n", path: "b.env")
        let files = resolver(files: [first, second])
        #expect(try files.resolve(.environment(name: "DEMO_KEY")).withUnredactedValue { $0 } == "from-second")
        #expect(try files.resolve(.environment(name: "ONLY_FILE")).withUnredactedValue { $0 } == "file-value")
        let withProcess = resolver(files: [first, second], process: ["DEMO_KEY": "from-process"])
        #expect(try withProcess.resolve(.environment(name: "DEMO_KEY")).withUnredactedValue { $0 } == "from-process")
    }

    @Test("file:// reads relative to the base directory and trims the trailing newline")
    func file() throws {
        let directory = try TemporaryDirectory()
        try directory.write("secrets/token", "file-secret-value\n")
        try directory.write("secrets/two-lines", "line one\nline two\n\n")
        try directory.write("secrets/spaces", "  padded  ")
        let local = resolver(base: directory.path)
        #expect(try local.resolve(.file(path: "secrets/token")).withUnredactedValue { $0 } == "file-secret-value")
        #expect(
            try local.resolve(.file(path: directory.path + "/secrets/token")).withUnredactedValue { $0 }
                == "file-secret-value", "absolute paths ignore the base directory")
        #expect(try local.resolve(.file(path: "secrets/two-lines")).withUnredactedValue { $0 } == "line one\nline two")
        #expect(
            try local.resolve(.file(path: "secrets/spaces")).withUnredactedValue { $0 } == "  padded  ",
            "only line endings are trimmed")
        #expect(
            try local.resolve(SecretReference(parsing: "file://secrets/token")).withUnredactedValue { $0 }
                == "file-secret-value")
    }

    @Test("a secret file with a CRLF ending is trimmed too")
    func fileCRLF() throws {
        let directory = try TemporaryDirectory()
        try directory.write("secrets/windows", "windows-secret\r\n")
        let value = try resolver(base: directory.path).resolve(.file(path: "secrets/windows"))
        #expect(value.withUnredactedValue { $0 } == "windows-secret")
    }

    @Test("unresolvable references fail closed, without the value in the message")
    func failures() throws {
        let directory = try TemporaryDirectory()
        try directory.write("secrets/empty", "\n")
        try directory.write("secrets/binary", "")
        try Data([0xFF, 0xFE, 0x00, 0xC3]).write(to: URL(fileURLWithPath: directory.path + "/secrets/binary"))
        let env = try DotEnvFile(parsing: "EMPTY=\n", path: "a.env")
        let local = resolver(files: [env], base: directory.path)
        let cases: [(SecretReference, String)] = [
            (.environment(name: "MISSING"), "not set"),
            (.environment(name: "EMPTY"), "empty"),
            (.file(path: "secrets/missing"), "cannot be read"),
            (.file(path: "secrets/empty"), "empty"),
            (.file(path: "secrets/binary"), "not UTF-8"),
            (.openBao(mount: "secret", path: "connectors/x", field: "f", version: nil), "OpenBao"),
        ]
        for (reference, reason) in cases {
            let failure = #expect(throws: LocalSecretResolver.Failure.self) { try local.resolve(reference) }
            #expect(failure?.reference == reference)
            #expect(failure?.reason.contains(reason) == true, "\(String(describing: failure))")
            #expect(failure?.description.contains(reference.description) == true)
        }
    }

    @Test("under require-ref, env:// reads the process environment only: a value in an env file is a refused literal")
    func requireReference() throws {
        let env = try DotEnvFile(
            parsing: "FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true\nIN_FILE=sk-literal-in-file-1234\n", path: "gen.env")
        let strict = resolver(files: [env], process: ["IN_PROCESS": "injected-at-run-time"])
        #expect(try strict.resolve(.environment(name: "IN_PROCESS")).withUnredactedValue { $0 } == "injected-at-run-time")
        let failure = #expect(throws: LocalSecretResolver.Failure.self) { try strict.resolve(.environment(name: "IN_FILE")) }
        #expect(failure?.literalRefused == true)
        #expect(failure?.reason.contains("gen.env:2") == true, "\(String(describing: failure))")
        #expect(failure?.reason.contains("sk-literal") == false, "the value is never shown")
        // The process environment wins over the file, so a run-time injection still resolves.
        let injected = resolver(files: [env], process: ["IN_FILE": "from-process"])
        #expect(try injected.resolve(.environment(name: "IN_FILE")).withUnredactedValue { $0 } == "from-process")
        // Without require-ref, env files count as before.
        let relaxed = resolver(files: [try DotEnvFile(parsing: "IN_FILE=v\n", path: "a.env")])
        #expect(try relaxed.resolve(.environment(name: "IN_FILE")).withUnredactedValue { $0 } == "v")
    }
}
