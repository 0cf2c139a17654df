/// An RFC 9457 problem document, rendered as `application/problem+json`.
public struct ProblemDetails: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var connector: String?
    public var requestID: String?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, connector
        case requestID = "request_id"
    }

    public init(type: String, title: String, status: Int, detail: String, connector: String? = nil, requestID: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.connector = connector
        self.requestID = requestID
    }

    public static let contentType = "application/problem+json"
}
