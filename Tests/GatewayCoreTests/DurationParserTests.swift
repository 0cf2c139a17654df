import Testing

@testable import GatewayCore

@Suite("DurationParser")
struct DurationParserTests {
    @Test(
        "parses ms, s, m, h and bare seconds",
        arguments: [
            ("250ms", 0.25), ("1500ms", 1.5), ("0ms", 0), ("5s", 5), ("1.5s", 1.5), ("90s", 90), ("2m", 120),
            ("0.5m", 30), ("1h", 3600), ("10", 10), ("0", 0), ("0.05", 0.05),
        ])
    func parses(text: String, seconds: Double) {
        #expect(DurationParser.seconds(from: text) == seconds)
    }

    @Test(
        "refuses what is not a duration",
        arguments: [
            "", "s", "ms", "-1s", "-5", "5 s", " 5s", "five", "5d", "5sec", "5S", "1h30m", "infs", "nan", "1e400s",
        ])
    func refuses(text: String) {
        #expect(DurationParser.seconds(from: text) == nil)
    }

    @Test(
        "formats the shortest exact rendering",
        arguments: [
            (90.0, "90s"), (120, "2m"), (0.25, "250ms"), (0, "0s"), (1.5, "1500ms"), (30, "30s"), (300, "5m"), (1, "1s"),
        ])
    func formats(seconds: Double, text: String) {
        #expect(DurationParser.format(seconds) == text)
        #expect(DurationParser.seconds(from: text) == seconds)
    }
}
