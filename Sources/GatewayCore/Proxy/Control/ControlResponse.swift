import NIOHTTP1

/// A response the gateway makes itself on a control route.
package struct ControlResponse: Sendable {
    package var status: Int
    package var contentType: String
    package var body: String
    package var headers: [(String, String)]

    package init(status: Int, contentType: String, body: String, headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }
}
