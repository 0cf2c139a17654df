import Foundation
import NIOCore
import NIOHTTP1

/// Renders a gateway-made error in the route's own format: problem+json (RFC 9457) on executor
/// and control routes, SCIM error JSON (RFC 7644 section 3.12) on SCIM routes.
enum ErrorResponse {
    enum Format { case problem, scim }

    static func body(_ error: ProxyError, format: Format, connector: String?, requestID: String) -> (contentType: String, body: String) {
        switch format {
        case .problem:
            let problem = ProblemDetails(
                type: error.typeURI, title: error.title, status: error.status, detail: error.detail,
                connector: connector, requestID: requestID)
            return (ProblemDetails.contentType, encode(problem))
        case .scim:
            let scim = SCIMError(status: String(error.status), detail: error.detail, scimType: nil)
            return ("application/scim+json", encode(scim))
        }
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }
}
