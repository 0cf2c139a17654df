import NIOCore

/// Reads an upstream connection's answers out of its bytes, as a value: the head in place
/// (`ResponseHeadScanner`), the body by the framing the head declares, and where the answer
/// ends. Bytes are sliced, never copied, except for the rare head or chunk line split across
/// reads. Informational answers (1xx other than 101) are skipped; after a 101 the bytes belong
/// to the tunnel (`leftover`).
///
/// A chunked body is handed on as the upstream framed it (the caller's framing is the same),
/// or, when the exchange asks for its data (`BodyDelivery.data`), as the chunks' data alone.
struct ResponseReader {
    enum Event {
        case head(UpstreamResponseHead)
        case body(ByteBuffer)
        /// The answer is complete. `reusable`: nothing followed it, and its framing was not
        /// the connection's end.
        case end(reusable: Bool)
        case refused(String)
    }

    /// How the exchange takes a chunked body.
    enum BodyDelivery {
        /// Chunk framing included: the caller reads the same chunked body.
        case framed
        /// The chunks' data only (the caller's framing differs, or the body is rewritten).
        case data
    }

    private enum State {
        /// No request is waiting for an answer: any byte is out of step.
        case idle
        case awaitingHead(requestIsHEAD: Bool)
        case length(remaining: Int)
        case chunked(ChunkedBodyScanner, BodyDelivery)
        case untilClose
        /// The body is complete: the end comes next.
        case complete
        /// A 101 was read: its end comes next, then what follows is another protocol's.
        case switching
        case switched
        case failed
    }

    private var state = State.idle
    private var buffered: ByteBuffer?
    /// The field array of the last head, written again for the next once that head is gone.
    private var fieldStorage: [ScannedFields.Field] = []

    /// A request went out: the next bytes are its answer.
    mutating func requestSent(isHEAD: Bool) {
        if case .idle = state { state = .awaitingHead(requestIsHEAD: isHEAD) }
    }

    /// The head was handed on: how the exchange wants a chunked body.
    mutating func deliverChunkedBody(_ delivery: BodyDelivery) {
        if case let .chunked(scanner, _) = state { state = .chunked(scanner, delivery) }
    }

    /// Bytes read after a 101 (they belong to the tunnel), taken once.
    mutating func takeLeftover() -> ByteBuffer? {
        guard case .switched = state else { return nil }
        defer { buffered = nil }
        return buffered
    }

    /// Bytes from the connection; `next()` gives what they complete.
    mutating func received(_ buffer: ByteBuffer) {
        buffered.accumulate(buffer)
    }

    /// The connection was closed by the upstream: the end of a body delimited by it.
    mutating func closed() -> Event? {
        guard case .untilClose = state else { return nil }
        state = .idle
        return .end(reusable: false)
    }

    /// The next event in the bytes received so far, or nil when more bytes are needed.
    mutating func next() -> Event? {
        switch state {
        case .switched, .failed:
            return nil
        case .idle:
            guard let buffered, buffered.readableBytes > 0 else { return nil }
            return refuse("bytes when no request was waiting for an answer")
        case let .awaitingHead(requestIsHEAD):
            return nextHead(requestIsHEAD: requestIsHEAD)
        case .switching:
            state = .switched
            return .end(reusable: false)
        case .complete:
            state = .idle
            return .end(reusable: buffered.map { $0.readableBytes == 0 } ?? true)
        case let .length(remaining):
            guard var bytes = buffered, bytes.readableBytes > 0 else { return nil }
            let count = min(remaining, bytes.readableBytes)
            let body = bytes.readSlice(length: count)!
            buffered = bytes
            state = count == remaining ? .complete : .length(remaining: remaining - count)
            return .body(body)
        case .untilClose:
            guard let bytes = buffered, bytes.readableBytes > 0 else { return nil }
            buffered = nil
            return .body(bytes)
        case let .chunked(scanner, delivery):
            return nextChunks(scanner, delivery)
        }
    }

    private mutating func nextHead(requestIsHEAD: Bool) -> Event? {
        while true {
            guard var bytes = buffered, bytes.readableBytes > 0 else { return nil }
            let scan = bytes.withUnsafeReadableBytes { raw in
                // Moved, not copied: a second reference would keep the array shared.
                var storage: [ScannedFields.Field] = []
                swap(&storage, &fieldStorage)
                return ResponseHeadScanner.scan(raw, reusing: consume storage)
            }
            switch scan {
            case .needMoreBytes:
                return nil
            case let .refused(reason):
                return refuse(reason)
            case let .head(scanned):
                let head = UpstreamResponseHead(bytes: bytes.readSlice(length: scanned.fields.end)!, scanned: scanned)
                buffered = bytes
                fieldStorage = scanned.fields.lines
                switch scanned.status {
                case 101:
                    state = .switching
                    return .head(head)
                case 100..<200:
                    continue  // informational: not forwarded, the answer follows
                case 204, 304:
                    state = .complete
                case _ where requestIsHEAD:
                    state = .complete
                default:
                    if scanned.fields.chunked {
                        state = .chunked(ChunkedBodyScanner(), .framed)
                    } else if let length = scanned.fields.contentLength {
                        state = length > 0 ? .length(remaining: length) : .complete
                    } else {
                        state = .untilClose
                    }
                }
                return .head(head)
            }
        }
    }

    private mutating func nextChunks(_ scanner: ChunkedBodyScanner, _ delivery: BodyDelivery) -> Event? {
        guard var bytes = buffered else { return nil }
        var scanner = scanner
        // Framed: every byte the scanner got through goes on in one slice. Data: one chunk's
        // data per event.
        var through = 0
        var ended = false
        var data: Range<Int>?
        var refusal: String?
        bytes.withUnsafeReadableBytes { raw in
            scanning: while true {
                switch scanner.next(UnsafeRawBufferPointer(rebasing: raw[through...])) {
                case let .data(range):
                    let absolute = (through + range.lowerBound)..<(through + range.upperBound)
                    through = absolute.upperBound
                    if case .data = delivery {
                        data = absolute
                        break scanning
                    }
                case let .needMoreBytes(consumed):
                    through += consumed
                    break scanning
                case let .end(consumed, _, _):
                    through += consumed
                    ended = true
                    break scanning
                case let .refused(reason):
                    refusal = reason
                    break scanning
                }
            }
        }
        if let refusal { return refuse(refusal) }
        let taken = bytes.readSlice(length: through)!
        buffered = bytes
        state = ended ? .complete : .chunked(scanner, delivery)
        switch delivery {
        case .framed where taken.readableBytes > 0:
            return .body(taken)
        case .data where data != nil:
            return .body(taken.getSlice(at: taken.readerIndex + data!.lowerBound, length: data!.count)!)
        default:
            return ended ? next() : nil
        }
    }

    private mutating func refuse(_ reason: String) -> Event {
        state = .failed
        buffered = nil
        return .refused(reason)
    }
}
