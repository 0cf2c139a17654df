import NIOHTTP1

/// A response the gateway makes itself on a control route.
public struct ControlResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String
    public var headers: [(String, String)]

    public init(status: Int, contentType: String, body: String, headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }
}

/// Answers some of the gateway's own routes (health reports, status page, ...). Responders are
/// asked in order for any path that is not a machine route, `/livez`, `/readyz` or `/metrics`.
public protocol ControlResponder: Sendable {
    /// The response for `path` (query string in `query`), or nil when the path is not this
    /// responder's.
    func respond(method: HTTPMethod, path: Substring, query: Substring?) -> ControlResponse?
}
