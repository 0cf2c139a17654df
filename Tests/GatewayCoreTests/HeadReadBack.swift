import NIOCore
import NIOHTTP1

@testable import GatewayCore

// Heads the gateway writes as bytes, read back as fields for the tests (and response heads built
// from text).

extension UpstreamResponseHead {
    /// The head of `text`, which must be one whole response head.
    static func scanning(_ text: String) -> UpstreamResponseHead {
        let bytes = ByteBuffer(string: text)
        guard case let .head(scanned) = bytes.withUnsafeReadableBytes({ ResponseHeadScanner.scan($0) }) else {
            preconditionFailure("not a response head: \(text)")
        }
        return UpstreamResponseHead(bytes: bytes, scanned: scanned)
    }
}

extension CallerResponseHead {
    /// The fields the caller gets, read back from the head's bytes.
    var headers: HTTPHeaders {
        var buffer = ByteBuffer()
        write(into: &buffer)
        return fieldsReadBack(buffer)
    }
}

extension UpstreamRequestHead {
    /// The fields the upstream gets (the framing field included), read back from the head's bytes.
    var headers: HTTPHeaders {
        var buffer = ByteBuffer()
        write(into: &buffer)
        return fieldsReadBack(buffer)
    }
}

/// The fields of a head's bytes (its first line left out).
private func fieldsReadBack(_ buffer: ByteBuffer) -> HTTPHeaders {
    var headers = HTTPHeaders()
    let text = String(buffer: buffer)
    for line in text.split(separator: "\r\n").dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers.add(
            name: String(line[..<colon]),
            value: String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }))
    }
    return headers
}
