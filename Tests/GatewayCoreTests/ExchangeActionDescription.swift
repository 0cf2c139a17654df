import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

// How the exchange tests name the machine's actions.

/// Checks an action by its description (outside `#expect`, which cannot hold a mutating call).
func expectAction(
    _ action: ExchangeStateMachine.Action, _ expected: String, _ comment: Comment? = nil, prefix: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let text = describe(action)
    if prefix {
        #expect(text.hasPrefix(expected), comment, sourceLocation: sourceLocation)
    } else {
        #expect(text == expected, comment, sourceLocation: sourceLocation)
    }
}

/// A short, stable description of an action for assertions.
func describe(_ action: ExchangeStateMachine.Action) -> String {
    func part(_ part: UpstreamRequestPart) -> String {
        switch part {
        case .head: "head"
        case let .body(buffer): "body(\(buffer.readableBytes))"
        case .end: "end"
        }
    }
    switch action {
    case .none: return "none"
    case let .sendRequest(sendContinue, head, parts):
        return [
            "sendRequest", sendContinue ? "continue" : nil, head.map { "head=\($0.method.rawValue) \($0.uri)" },
            "parts=[\(parts.map(part).joined(separator: ", "))]",
        ].compactMap { $0 }.joined(separator: " ")
    case let .forwardRequestPart(p): return "forward \(part(p))"
    case let .sendResponseHead(head): return "respond head \(head.status)"
    case let .forwardResponseBody(buffer, framed): return "respond body(\(buffer.readableBytes))\(framed ? " chunked" : "")"
    case let .completeResponse(_, _, _, reuse, close): return "complete \(reuse ? "reuse" : "discard")\(close ? " close" : "")"
    case let .respondError(error, close): return "error \(error.status) \(error.metricKind)\(close ? " close" : "")"
    case let .abort(error): return "abort \(error.metricKind)"
    case let .openTunnel(head): return "tunnel \(head.status.code)"
    case .retryOnFreshConnection: return "retry"
    case .abandon: return "abandon"
    }
}
