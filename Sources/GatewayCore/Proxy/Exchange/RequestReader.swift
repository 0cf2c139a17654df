import NIOCore
import NIOHTTP1

/// Reads a caller's requests out of its connection's bytes, as a value: each head found in place
/// (`RequestHeadScanner`), each body followed by its framing (a length, or chunks through
/// `ChunkedBodyScanner`), and handed on as parts (`CallerRequestPart`): the head as its bytes
/// (`CallerRequestHead`), never as a list of strings. `RequestReaderTests` holds them to the
/// parts NIO's `HTTPRequestDecoder` gives for the same bytes, whole and split at every byte.
/// Body bytes are sliced, never copied, except for a head or chunk line split across reads.
///
/// Like llhttp, it reads nothing as HTTP after a request that switches protocols (`CONNECT`, or
/// `Connection: upgrade` with `Upgrade`, after its body): the bytes that follow are kept
/// (`takeLeftover`) for a tunnel. After a head whose transfer coding is not `chunked` alone it
/// stops without an end: no body can be framed exactly, and the gateway refuses such a head.
struct RequestReader {
    enum Event {
        case part(CallerRequestPart)
        /// The bytes are no request the gateway reads; the reason is for the 400.
        case refused(String)
        /// A head longer than `maxHeadBytes` (a 431).
        case tooLarge
    }

    private enum State {
        case head
        case length(remaining: Int, thenStop: Bool)
        case chunked(ChunkedBodyScanner, thenStop: Bool)
        /// The request's end comes next; then the next head, or nothing when `thenStop`.
        case complete(trailers: HTTPHeaders?, thenStop: Bool)
        /// Nothing more is read as HTTP.
        case stopped
        case failed
    }

    private var state = State.head
    private var buffered: ByteBuffer?
    /// The field array of the last head, written again for the next once that head is gone.
    private var fieldStorage: [ScannedFields.Field] = []
    let maxHeadBytes: Int

    init(maxHeadBytes: Int = HeadCursor.defaultMaxHeadBytes) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Bytes from the connection; `next()` gives the parts they complete.
    mutating func received(_ buffer: ByteBuffer) {
        buffered.accumulate(buffer)
    }

    /// Bytes read after a request that switched protocols, taken once.
    mutating func takeLeftover() -> ByteBuffer? {
        guard case .stopped = state else { return nil }
        defer { buffered = nil }
        return buffered
    }

    /// The next event in the bytes received so far, or nil when more bytes are needed.
    mutating func next() -> Event? {
        switch state {
        case .stopped, .failed:
            return nil
        case .head:
            return nextHead()
        case let .complete(trailers, thenStop):
            state = thenStop ? .stopped : .head
            return .part(.end(trailers))
        case let .length(remaining, thenStop):
            guard var bytes = buffered, bytes.readableBytes > 0 else { return nil }
            let count = min(remaining, bytes.readableBytes)
            let body = bytes.readSlice(length: count)!
            buffered = bytes
            state = count == remaining ? .complete(trailers: nil, thenStop: thenStop) : .length(remaining: remaining - count, thenStop: thenStop)
            return .part(.body(body))
        case let .chunked(scanner, thenStop):
            return nextChunk(scanner, thenStop: thenStop)
        }
    }

    private mutating func nextHead() -> Event? {
        guard var bytes = buffered, bytes.readableBytes > 0 else { return nil }
        // The first `maxHeadBytes` bytes: a head not complete within them is too large.
        let scan = bytes.withUnsafeReadableBytes { raw in
            // Moved, not copied: a second reference would keep the array shared.
            var storage: [ScannedFields.Field] = []
            swap(&storage, &fieldStorage)
            return RequestHeadScanner.scan(
                UnsafeRawBufferPointer(rebasing: raw.prefix(maxHeadBytes)), maxHeadBytes: .max, reusing: consume storage)
        }
        switch scan {
        case .needMoreBytes:
            guard bytes.readableBytes >= maxHeadBytes else { return nil }
            state = .failed
            buffered = nil
            return .tooLarge
        case let .refused(reason):
            return refuse(reason)
        case let .head(scanned):
            let head = CallerRequestHead(bytes: bytes.readSlice(length: scanned.fields.end)!, scanned: scanned)
            buffered = bytes
            fieldStorage = scanned.fields.lines
            let switches = head.switchesProtocols
            let fields = scanned.fields
            if fields.otherTransferCoding {
                state = .stopped
            } else if fields.chunked {
                state = .chunked(ChunkedBodyScanner(), thenStop: switches)
            } else if let length = fields.contentLength, length > 0 {
                state = .length(remaining: length, thenStop: switches)
            } else {
                state = .complete(trailers: nil, thenStop: switches)
            }
            return .part(.head(head))
        }
    }

    private mutating func nextChunk(_ scanner: ChunkedBodyScanner, thenStop: Bool) -> Event? {
        guard var bytes = buffered else { return nil }
        var scanner = scanner
        let step = bytes.withUnsafeReadableBytes { scanner.next($0) }
        switch step {
        case let .data(range):
            bytes.moveReaderIndex(forwardBy: range.lowerBound)
            let data = bytes.readSlice(length: range.count)!
            buffered = bytes
            state = .chunked(scanner, thenStop: thenStop)
            return .part(.body(data))
        case let .needMoreBytes(consumed):
            bytes.moveReaderIndex(forwardBy: consumed)
            buffered = bytes
            state = .chunked(scanner, thenStop: thenStop)
            return nil
        case let .end(consumed, trailersStart, trailers):
            let trailerHeaders = trailers.map { fields in
                bytes.withUnsafeReadableBytes { raw in
                    let section = UnsafeRawBufferPointer(rebasing: raw[trailersStart...])
                    return HTTPHeaders(fields.lines.map { (Self.text(section[$0.name]), Self.text(section[$0.value])) })
                }
            }
            bytes.moveReaderIndex(forwardBy: consumed)
            buffered = bytes
            state = .complete(trailers: trailerHeaders, thenStop: thenStop)
            return next()
        case let .refused(reason):
            return refuse(reason)
        }
    }

    private mutating func refuse(_ reason: String) -> Event {
        state = .failed
        buffered = nil
        return .refused(reason)
    }

    private static func text(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
