import NIOHTTP1
import Tracing

/// W3C trace context in and out of HTTP/1 headers: `traceparent` and `tracestate` read from
/// the caller's request, written (replacing the caller's) on the upstream request.
struct HTTPHeadersExtractor: Extractor {
    func extract(key: String, from headers: HTTPHeaders) -> String? {
        headers.first(name: key)
    }
}

struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}
