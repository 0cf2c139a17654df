import Foundation
import Testing

@testable import GatewayCore

/// The status page: self-contained, refreshing, escaped.
@Suite("status page")
struct StatusPageTests {
    static let page = StatusPage.render(HealthReportFixtures.report, refreshSeconds: 30, now: HealthReportFixtures.now)

    @Test func everyConnectorShowsItsNameStateAndReason() {
        for connector in HealthReportFixtures.report.connectors {
            #expect(Self.page.contains("data-connector=\"\(connector.name)\" data-state=\"\(connector.state.rawValue)\""))
            #expect(Self.page.contains("<h2>\(connector.name)</h2><span class=\"badge\">\(connector.state.rawValue)</span>"))
        }
        #expect(Self.page.contains("<dt>Cert expires</dt><dd>in 3 days (2027-01-18)</dd>"))
    }

    @Test func itIsSelfContainedAndRefreshes() {
        #expect(Self.page.contains("<meta http-equiv=\"refresh\" content=\"30\">"))
        #expect(Self.page.contains("<meta name=\"viewport\""))
        #expect(!Self.page.contains("<script"))
        #expect(!Self.page.contains("src="))
        #expect(!Self.page.contains("<link"))
        #expect(!Self.page.contains("url("))
    }

    @Test func textIsEscaped() {
        #expect(Self.page.contains("Service Unavailable &lt;b&gt;"))
        #expect(!Self.page.contains("Unavailable <b>"))
    }

    @Test func beforeTheFirstRoundItSaysSo() {
        let waiting = StatusPage.render(nil, refreshSeconds: 30)
        #expect(waiting.contains("still running"))
        #expect(waiting.contains("content=\"2\""))
    }
}
