import CompressNIO
import NIOCore

/// Decompresses a request message the gateway must read (the first one of a call whose namespace
/// it checks): `gzip` and `deflate` (zlib), as gRPC names them in `grpc-encoding`, never past the
/// connector's message limit (a small compressed message cannot make the gateway allocate more).
/// The upstream gets the message as the caller sent it.
enum GRPCMessageDecompressor {
    struct Refusal: Error {
        var answer: GRPCAnswer
    }

    static func decompress(_ message: ByteBuffer, encoding: String?, limit: Int) -> Result<ByteBuffer, Refusal> {
        let algorithm: CompressionAlgorithm
        switch encoding?.lowercased() {
        case "gzip": algorithm = .gzip()
        case "deflate": algorithm = .zlib()
        default:
            return .failure(
                Refusal(
                    answer: GRPCAnswer(
                        .unimplemented,
                        "The request message is compressed with '\(encoding ?? "no grpc-encoding")'; the gateway reads the call's namespace from it and decodes gzip and deflate only."
                    )))
        }
        var input = message
        do {
            return .success(try input.decompress(with: algorithm, maxSize: limit))
        } catch let error as CompressNIOError where error == .bufferOverflow {
            return .failure(
                Refusal(
                    answer: GRPCAnswer(
                        .resourceExhausted,
                        "The request message decompresses to more than the connector's limit of \(limit) bytes (max_message_bytes).")))
        } catch {
            return .failure(Refusal(answer: GRPCAnswer(.invalidArgument, "The request message cannot be decompressed (\(error)).")))
        }
    }
}
