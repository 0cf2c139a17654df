import Foundation
import NIOHTTP1

/// Serves the latest report: `/health/connectors` and `/health/connectors/<name>` as JSON,
/// `/status` as HTML. Answers 503 (JSON) until every connector was checked once.
struct HealthResponder: ControlResponder {
    let store: HealthStore
    /// The status page's meta refresh.
    let refreshSeconds: Int
    /// Open WebSocket tunnels by connector, read when a page or report is served.
    let tunnels: Tunnels?

    init(store: HealthStore, refreshSeconds: Int, tunnels: Tunnels? = nil) {
        self.store = store
        self.refreshSeconds = refreshSeconds
        self.tunnels = tunnels
    }

    /// The page refreshes as often as the checks run (within 5 s to 5 min).
    init(store: HealthStore, configuration: GatewayConfiguration, tunnels: Tunnels? = nil) {
        self.init(store: store, refreshSeconds: Int(min(max(configuration.gateway.healthInterval, 5), 300)), tunnels: tunnels)
    }

    static let prefix = "/health/connectors"

    func respond(method: HTTPMethod, path: Substring, query: Substring?) -> ControlResponse? {
        let isStatus = path == "/status" || path == "/status/"
        guard isStatus || path == Self.prefix || path.hasPrefix(Self.prefix + "/") else { return nil }
        guard method == .GET || method == .HEAD else {
            return problem(
                405, title: "Method not allowed", detail: "\(path) answers GET and HEAD only.",
                headers: [("allow", "GET, HEAD")])
        }
        let now = Date()
        let open = tunnels?.openByConnector
        if isStatus {
            return ControlResponse(
                status: 200, contentType: "text/html; charset=utf-8",
                body: StatusPage.render(store.report, refreshSeconds: refreshSeconds, now: now, tunnels: open),
                headers: [("cache-control", "no-store")])
        }
        let name = path.dropFirst(Self.prefix.count).drop { $0 == "/" }
        if name.isEmpty {
            guard let report = store.report else { return pending("the first round of health checks has not finished yet") }
            return json(report.jsonText(now: now, tunnels: open))
        }
        let connector = String(name.hasSuffix("/") ? name.dropLast() : name)
        guard store.connectors.contains(connector) else {
            return problem(
                404, title: "Unknown connector",
                detail:
                    "No connector named '\(connector)'.\(Suggestion.didYouMean(connector, in: store.connectors)) Known: \(store.connectors.joined(separator: ", ")).",
                connector: connector)
        }
        guard let health = store.latest(connector) else {
            return pending("'\(connector)' has not been checked yet")
        }
        return json(HealthReport.jsonText(connector: health, now: now, tunnels: open))
    }

    func json(_ body: String) -> ControlResponse {
        ControlResponse(status: 200, contentType: "application/json", body: body, headers: [("cache-control", "no-store")])
    }

    func pending(_ detail: String) -> ControlResponse {
        ControlResponse(
            status: 503, contentType: "application/json",
            body:
                "{\"schema_version\":\(HealthReport.schemaVersion),\"status\":\"pending\",\"detail\":\"\(detail.replacingOccurrences(of: "\"", with: "\\\""))\"}\n",
            headers: [("retry-after", "1"), ("cache-control", "no-store")])
    }

    func problem(_ status: Int, title: String, detail: String, connector: String? = nil, headers: [(String, String)] = []) -> ControlResponse {
        let kind = status == 404 ? "unknown-connector" : "method-not-allowed"
        let document = ProblemDetails(
            type: "urn:fractalops:gateway:\(kind)", title: title, status: status, detail: detail,
            connector: connector)
        return ControlResponse(
            status: status, contentType: ProblemDetails.contentType,
            body: ErrorResponse.encode(document), headers: headers)
    }
}
