import NIOHTTP1

/// Answers some of the gateway's own routes (health reports, status page, ...). Responders are
/// asked in order for any path that is not a machine route, `/livez`, `/readyz` or `/metrics`.
package protocol ControlResponder: Sendable {
    /// The response for `path` (query string in `query`), or nil when the path is not this
    /// responder's.
    func respond(method: HTTPMethod, path: Substring, query: Substring?) -> ControlResponse?
}
