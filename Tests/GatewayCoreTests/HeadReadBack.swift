import NIOCore
import NIOHTTP1

@testable import GatewayCore

// Heads the gateway writes as bytes, read back as fields for the tests (and response heads built
// from text).

extension UpstreamResponseHead {
    /// The head of `text`, which must be one whole response head.
    static func scanning(_ text: String) -> UpstreamResponseHead {
        let bytes = ByteBuffer(string: text)
        return UpstreamResponseHead(bytes: bytes, scanned: wholeHead(bytes) { ResponseHeadScanner.scan($0) })
    }
}

extension CallerRequestHead {
    /// The head of `text`, which must be one whole request head, scanned as the reader scans it.
    static func scanning(_ text: String) -> CallerRequestHead {
        let bytes = ByteBuffer(string: text)
        return CallerRequestHead(bytes: bytes, scanned: wholeHead(bytes) { RequestHeadScanner.scan($0) })
    }
}

/// What `scan` finds in `bytes`, which must be one whole head.
private func wholeHead<Head>(_ bytes: ByteBuffer, _ scan: (UnsafeRawBufferPointer) -> HeadScan<Head>) -> Head {
    guard case let .head(head) = bytes.withUnsafeReadableBytes({ scan($0) }) else {
        preconditionFailure("not a whole head: \(String(buffer: bytes))")
    }
    return head
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
