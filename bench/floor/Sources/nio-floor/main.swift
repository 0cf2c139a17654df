// Two reverse proxies reduced to what SwiftNIO itself costs, one event loop each, one upstream
// connection per caller connection (no pool, no routing, no header edits, no limits):
//
//   nio-floor relay <listen port> <upstream port>   bytes copied both ways, no HTTP parsing
//   nio-floor codec <listen port> <upstream port>   NIO's HTTP/1 server and client codecs, the
//                                                  parsed parts handed across unchanged
//   nio-floor frame <listen port> <upstream port>   bytes copied both ways, each head scanned
//                                                  once (every header byte checked as a token or
//                                                  field-value byte, Content-Length read) and the
//                                                  body counted: what a byte-level HTTP/1 path
//                                                  would cost (Content-Length framing only)
//
// `relay` is the floor of any NIO proxy (a read and a write per side per request); `codec` adds
// the two HTTP/1 codecs the gateway uses. Neither is a proxy anyone should run: they exist so
// bench/run can say how much of the gateway's cost is NIO's.
import NIOCore
import NIOHTTP1
import NIOPosix

/// Forwards whatever it reads to `peer`, flushing once per read batch; closes `peer` with itself.
final class Relay: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    var peer: Channel?
    var pending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peer?.write(unwrapInboundIn(data), promise: nil)
        pending = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pending, let peer { peer.flush() }
        pending = false
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The caller side of `codec`: request parts out as client request parts.
final class CallerParts: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    var peer: Channel?
    var pending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part: HTTPClientRequestPart
        switch unwrapInboundIn(data) {
        case let .head(head): part = .head(head)
        case let .body(buffer): part = .body(.byteBuffer(buffer))
        case let .end(trailers): part = .end(trailers)
        }
        peer?.write(part, promise: nil)
        pending = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pending, let peer { peer.flush() }
        pending = false
    }

    func channelInactive(context: ChannelHandlerContext) { peer?.close(promise: nil) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

/// The upstream side of `codec`: response parts back as server response parts.
final class UpstreamParts: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let caller: Channel
    var pending = false

    init(caller: Channel) { self.caller = caller }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part: HTTPServerResponsePart
        switch unwrapInboundIn(data) {
        case let .head(head): part = .head(head)
        case let .body(buffer): part = .body(.byteBuffer(buffer))
        case let .end(trailers): part = .end(trailers)
        }
        caller.write(part, promise: nil)
        pending = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pending { caller.flush() }
        pending = false
    }

    func channelInactive(context: ChannelHandlerContext) { caller.close(promise: nil) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

/// `frame`: copies bytes to `peer` like `Relay`, but knows where each message ends: the head is
/// scanned byte by byte (token characters in names, visible characters in values, CRLF only),
/// its Content-Length read, then that many body bytes are counted through.
final class Framer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    var peer: Channel?
    var pending = false
    /// Bytes of a head not yet complete, and the body bytes still expected.
    var head: ByteBuffer?
    var remaining = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        while buffer.readableBytes > 0 {
            if remaining > 0 {
                let count = min(remaining, buffer.readableBytes)
                remaining -= count
                peer?.write(buffer.readSlice(length: count)!, promise: nil)
                continue
            }
            if var partial = head {
                partial.writeBuffer(&buffer)
                buffer = partial
                head = nil
            }
            switch Self.scanHead(buffer) {
            case let .complete(length, contentLength):
                remaining = contentLength
                peer?.write(buffer.readSlice(length: length)!, promise: nil)
            case .incomplete:
                head = buffer
                buffer.moveReaderIndex(to: buffer.writerIndex)
            case .invalid:
                context.close(promise: nil)
                return
            }
        }
        pending = true
    }

    enum Scan {
        case complete(Int, Int)
        case incomplete, invalid
    }

    static func scanHead(_ buffer: ByteBuffer) -> Scan {
        buffer.withUnsafeReadableBytes { bytes in
            var index = 0
            // Start line: up to the first CRLF, visible characters and spaces only.
            while index < bytes.count, bytes[index] != 13 {
                let byte = bytes[index]
                guard byte == 32 || (byte > 32 && byte < 127) else { return .invalid }
                index += 1
            }
            guard index + 1 < bytes.count else { return .incomplete }
            guard bytes[index + 1] == 10 else { return .invalid }
            index += 2
            var contentLength = 0
            while true {
                guard index + 1 < bytes.count else { return .incomplete }
                if bytes[index] == 13 {
                    guard bytes[index + 1] == 10 else { return .invalid }
                    return .complete(index + 2, contentLength)
                }
                let nameStart = index
                while index < bytes.count, bytes[index] != 58 {  // ':'
                    guard tokenTable[Int(bytes[index])] else { return .invalid }
                    index += 1
                }
                guard index < bytes.count else { return .incomplete }
                let nameLength = index - nameStart
                guard nameLength > 0 else { return .invalid }
                index += 1
                while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 { index += 1 }
                let valueStart = index
                while index < bytes.count, bytes[index] != 13 {
                    let byte = bytes[index]
                    guard byte == 9 || byte >= 32, byte != 127 else { return .invalid }
                    index += 1
                }
                guard index + 1 < bytes.count else { return .incomplete }
                guard bytes[index + 1] == 10 else { return .invalid }
                if nameLength == 14, equalsLowercased(bytes, nameStart, "content-length") {
                    var value = 0
                    for position in valueStart..<index {
                        let digit = bytes[position]
                        guard digit >= 48, digit <= 57 else { return .invalid }
                        value = value * 10 + Int(digit - 48)
                    }
                    contentLength = value
                }
                index += 2
            }
        }
    }

    static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ name: StaticString) -> Bool {
        name.withUTF8Buffer { expected in
            for offset in 0..<expected.count where bytes[start + offset] | 0x20 != expected[offset] { return false }
            return true
        }
    }

    static let tokenTable: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(UInt8(byte))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pending, let peer { peer.flush() }
        pending = false
    }

    func channelInactive(context: ChannelHandlerContext) { peer?.close(promise: nil) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let listenPort = Int(arguments[2]), let upstreamPort = Int(arguments[3]),
    ["relay", "codec", "frame"].contains(arguments[1])
else {
    print("usage: nio-floor relay|codec|frame <listen port> <upstream port>")
    exit(2)
}
let codec = arguments[1] == "codec"
let frame = arguments[1] == "frame"
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

let server = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelOption(.autoRead, value: false)
    .childChannelInitializer { caller in
        caller.eventLoop.makeCompletedFuture {
            let sync = caller.pipeline.syncOperations
            let relay = Relay()
            let parts = CallerParts()
            let framer = Framer()
            if codec {
                try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
                try sync.addHandler(parts)
            } else if frame {
                try sync.addHandler(framer)
            } else {
                try sync.addHandler(relay)
            }
            // One upstream connection for this caller, on the caller's loop; reads start once
            // it is there.
            ClientBootstrap(group: caller.eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { upstream in
                    upstream.eventLoop.makeCompletedFuture {
                        let sync = upstream.pipeline.syncOperations
                        if codec {
                            try sync.addHTTPClientHandlers()
                            try sync.addHandler(UpstreamParts(caller: caller))
                        } else if frame {
                            let framer = Framer()
                            framer.peer = caller
                            try sync.addHandler(framer)
                        } else {
                            let relay = Relay()
                            relay.peer = caller
                            try sync.addHandler(relay)
                        }
                    }
                }
                .connect(host: "127.0.0.1", port: upstreamPort)
                .whenComplete { result in
                    switch result {
                    case let .success(upstream):
                        relay.peer = upstream
                        parts.peer = upstream
                        framer.peer = upstream
                        caller.setOption(.autoRead, value: true).whenComplete { _ in caller.read() }
                    case .failure:
                        caller.close(promise: nil)
                    }
                }
        }
    }
    .bind(host: "127.0.0.1", port: listenPort)
    .wait()
print("nio-floor \(arguments[1]) on 127.0.0.1:\(listenPort)")
try server.closeFuture.wait()
