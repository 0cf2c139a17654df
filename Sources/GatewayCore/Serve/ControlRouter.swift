import Foundation

/// Answers the gateway's own routes from the loaded configuration. Pure: request line in,
/// response out, so it is tested without sockets.
public struct ControlRouter: Sendable {
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var contentType: String
        public var body: String
    }

    public let configuration: GatewayConfiguration

    public init(configuration: GatewayConfiguration) {
        self.configuration = configuration
    }

    public func respond(method: String, uri: String, requestID: String) -> Response {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        switch path {
        case "/livez":
            return json(200, #"{"status":"ok"}"#)
        case "/readyz":
            return json(200, #"{"status":"ready","connectors":\#(configuration.connectors.count)}"#)
        default:
            break
        }
        for prefix in ["/executor/", "/scim/"] where path.hasPrefix(prefix) {
            let name = path.dropFirst(prefix.count).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            guard let connector = configuration.connector(named: name) else {
                return problem(ProblemDetails(
                    type: "urn:fractalops:gateway:unknown-connector", title: "Unknown connector", status: 404,
                    detail: "No connector named '\(name)'.\(Suggestion.didYouMean(name, in: configuration.connectorNames)) Known connectors: \(configuration.connectorNames.joined(separator: ", ")).",
                    requestID: requestID))
            }
            if case let .none(reason) = connector.machineRoute {
                return problem(ProblemDetails(
                    type: "urn:fractalops:gateway:no-machine-route", title: "No machine route", status: 404,
                    detail: "Connector '\(connector.name)' has no machine route: \(reason).",
                    connector: connector.name, requestID: requestID))
            }
            return problem(ProblemDetails(
                type: "urn:fractalops:gateway:not-implemented", title: "Forwarding not available in this build", status: 501,
                detail: "Connector '\(connector.name)' routes to \(connector.machineRoute), but this build of the gateway loads, validates and serves its control routes only; forwarding machine traffic is not implemented yet.",
                connector: connector.name, requestID: requestID))
        }
        return problem(ProblemDetails(
            type: "urn:fractalops:gateway:not-found", title: "Not found", status: 404,
            detail: "No route for \(path). Routes: /executor/<connector>/<path>, /scim/<connector>/<path>, /livez, /readyz.",
            requestID: requestID))
    }

    private func json(_ status: Int, _ body: String) -> Response {
        Response(status: status, contentType: "application/json", body: body + "\n")
    }

    private func problem(_ problem: ProblemDetails) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(problem)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Response(status: problem.status, contentType: ProblemDetails.contentType, body: body + "\n")
    }
}
