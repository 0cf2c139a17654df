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
