import Foundation
import Testing

@testable import GatewayCore

/// The table people read: aligned columns, colour only when asked.
@Suite("health table")
struct HealthTableTests {
    static let text = HealthTable.render(HealthReportFixtures.report, color: false, now: HealthReportFixtures.now)

    @Test func everyColumnStartsAtTheSameOffsetOnEveryLine() throws {
        let lines = Self.text.split(separator: "\n", omittingEmptySubsequences: false).prefix(6).map(String.init)
        #expect(lines.count == 6)
        let header = lines[0]
        for column in ["KIND", "STATE", "STEP", "LATENCY", "CERT EXPIRY", "REASON"] {
            let offset = try #require(header.range(of: column)).lowerBound.utf16Offset(in: header)
            for line in lines.dropFirst() {
                let index = line.index(line.startIndex, offsetBy: offset)
                // Each cell starts right after two spaces of padding.
                #expect(line[line.index(index, offsetBy: -2)..<index] == "  ", "\(column) in \(line)")
                #expect(line[index] != " ", "\(column) in \(line)")
            }
        }
    }

    @Test func rowsShowStateStepLatencyExpiryAndReason() {
        let lines = Self.text.split(separator: "\n").map(String.init)
        let langboard = lines.first { $0.hasPrefix("langboard ") } ?? ""
        #expect(langboard.contains("ok"))
        #expect(langboard.contains("3.1 ms"))
        #expect(langboard.contains("3 days (2027-01-18)"))
        let nexus = lines.first { $0.hasPrefix("nexus-scim ") } ?? ""
        #expect(nexus.contains("fail"))
        #expect(nexus.contains("connect"))
        #expect(nexus.hasSuffix("is the service running and listening on that port?"))
        #expect(Self.text.contains("5 connectors: 1 ok, 1 degraded, 1 skip, 1 fail, 1 unconfigured (checked in 321 ms)"))
    }

    @Test func colourOnlyWhenAsked() {
        #expect(!Self.text.contains("\u{1B}["))
        let colored = HealthTable.render(HealthReportFixtures.report, color: true, now: HealthReportFixtures.now)
        #expect(colored.contains("\u{1B}[32mok"))
        #expect(colored.contains("\u{1B}[1;31mfail"))
        #expect(colored.contains("\u{1B}[35mskip"))
        // Colour codes do not shift the columns: removing them gives the plain table.
        let stripped = colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == Self.text)
    }
}
