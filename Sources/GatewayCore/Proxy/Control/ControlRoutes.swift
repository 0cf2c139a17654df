import NIOHTTP1

/// The gateway's own routes: `/livez`, `/readyz`, `/metrics`, then the responders added at
/// start (health report, status page), else a 404 that lists the routes.
enum ControlRoutes {
    static func response(
        method: HTTPMethod, uri: String, path: Substring, requestID: String, context: ProxyContext, tunnels: Tunnels
    ) -> LocalResponse {
        func json(_ status: Int, _ body: String) -> LocalResponse {
            LocalResponse(status: status, headers: [("content-type", "application/json"), ("x-request-id", requestID)], body: body)
        }
        switch path {
        case "/livez":
            return json(200, "{\"status\":\"ok\"}\n")
        case "/readyz":
            return context.isReady
                ? json(200, "{\"status\":\"ready\",\"connectors\":\(context.routes.connectorNames.count)}\n")
                : json(503, "{\"status\":\"not ready\"}\n")
        case "/metrics":
            return LocalResponse(
                status: 200, headers: [("content-type", "text/plain; version=0.0.4; charset=utf-8"), ("x-request-id", requestID)],
                body: context.metrics.render() + context.requestLimits.metricsText() + tunnels.metricsText())
        default:
            let query = uri.firstIndex(of: "?").map { uri[uri.index(after: $0)...] }
            for responder in context.controlResponders {
                if let response = responder.respond(method: method, path: path, query: query) {
                    return LocalResponse(
                        status: response.status,
                        headers: [("content-type", response.contentType), ("x-request-id", requestID)] + response.headers,
                        body: response.body)
                }
            }
            let error = ProxyError(
                .notFound, status: 404, title: "Not found",
                detail:
                    "No route for \(path). Routes: /executor/<connector>/<path>, /scim/<connector>/<path>, /health/connectors[/<name>], /status, /livez, /readyz, /metrics."
            )
            return .error(error, format: .problem, connector: nil, requestID: requestID)
        }
    }
}
