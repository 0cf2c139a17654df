import NIOHTTP1

/// A response the gateway makes itself (control routes, gateway-made errors): small, with a
/// length, written by the handler in one go.
struct LocalResponse {
    var status: Int
    var headers: [(String, String)]
    var body: String

    /// A gateway-made error in the route's format, with the request id (and a challenge on 401).
    static func error(_ error: ProxyError, format: ErrorResponse.Format, connector: String?, requestID: String) -> LocalResponse {
        let (contentType, body) = ErrorResponse.body(error, format: format, connector: connector, requestID: requestID)
        var headers = [("content-type", contentType), ("x-request-id", requestID)]
        if error.status == 401 { headers.append(("www-authenticate", "Bearer realm=\"fractalops-gateway\"")) }
        if let seconds = error.retryAfter { headers.append(("retry-after", String(seconds))) }
        return LocalResponse(status: error.status, headers: headers, body: body)
    }

    /// The response head: the given headers, the length, and `Connection: close` when asked.
    func head(version: HTTPVersion, close: Bool) -> HTTPResponseHead {
        var headers = HTTPHeaders(self.headers)
        headers.add(name: "content-length", value: String(body.utf8.count))
        if close {
            headers.add(name: "connection", value: "close")
        } else if version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")  // HTTP/1.0: kept only when told
        }
        return HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
    }
}
