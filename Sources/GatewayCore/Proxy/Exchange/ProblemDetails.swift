/// An RFC 9457 problem document, rendered as `application/problem+json`.
struct ProblemDetails: Codable, Sendable, Equatable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var connector: String?
    var requestID: String?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, connector
        case requestID = "request_id"
    }

    init(type: String, title: String, status: Int, detail: String, connector: String? = nil, requestID: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.connector = connector
        self.requestID = requestID
    }

    static let contentType = "application/problem+json"
}
