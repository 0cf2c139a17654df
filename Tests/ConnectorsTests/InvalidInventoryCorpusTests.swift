import Foundation
import Testing

@testable import GatewayCore

/// The corpus under Fixtures/invalid: every fixture is refused with the code, place, connector
/// and key its manifest line gives.
@Suite("Invalid inventory corpus")
struct InvalidInventoryCorpusTests {
    @Test("each fixture is refused with the expected issue", arguments: InvalidFixture.all)
    func refused(_ fixture: InvalidFixture) throws {
        if let known = fixture.knownIssue {
            withKnownIssue(Comment(rawValue: known)) { try check(fixture) }
        } else {
            try check(fixture)
        }
    }

    private func check(_ fixture: InvalidFixture) throws {
        let error = try #require(try fixture.load(), "\(fixture.name) was accepted")
        let codes = error.errors.map(\.code)
        let withCode = error.errors.filter { $0.code == fixture.code }
        let issue = try #require(
            withCode.first { location($0.location, names: fixture.expectedPlace) } ?? withCode.first,
            "\(fixture.code) is not among \(codes):\n\(error)")
        #expect(location(issue.location, names: fixture.expectedPlace), "expected \(fixture.expectedPlace): \(issue)")
        #expect(issue.connector == fixture.connector, "\(issue)")
        #expect(issue.key == fixture.key, "\(issue)")
        let message = issue.description
        if let connector = fixture.connector { #expect(message.contains(messageLabel(connector: connector)), "\(message)") }
        if let key = fixture.key { #expect(message.contains("key '\(key)'"), "\(message)") }
        if let says = fixture.says { #expect(message.contains(says), "expected '\(says)' in: \(message)") }
    }

    @Test("the corpus is large and the manifest lists every file")
    func manifestCoversFolder() throws {
        let fixtures = try InvalidFixture.loadManifest()
        #expect(fixtures.count >= 30)
        let names = Set(fixtures.map(\.name))
        #expect(names.count == fixtures.count, "a fixture is listed twice")

        let folder = try #require(InvalidFixture.folder)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        for file in files where file != InvalidFixture.manifestName {
            let base = [".process.env", ".env", ".yaml"].lazy
                .filter { file.hasSuffix($0) }.map { String(file.dropLast($0.count)) }.first
            #expect(base.map(names.contains) == true, "\(file) is not listed in \(InvalidFixture.manifestName)")
        }
        for fixture in fixtures {
            #expect(files.contains(fixture.name + ".yaml"), "\(fixture.name).yaml is missing")
            if fixture.file == .env {
                #expect(files.contains(fixture.name + ".env"), "\(fixture.name).env is missing")
            }
            #expect(
                fixture.name.range(of: #"^\d\d-[a-z0-9-]+$"#, options: .regularExpression) != nil,
                "\(fixture.name) is not NN-short-name")
        }
    }
}
