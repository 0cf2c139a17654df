import NIOHPACK

/// An answer the gateway gives a gRPC call itself: a trailers-only response (HTTP 200,
/// `grpc-status`, a `grpc-message` that says why), never an HTTP-level error.
struct GRPCAnswer: Equatable, Sendable {
    var status: GRPCStatus
    var message: String

    init(_ status: GRPCStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var headers: HPACKHeaders {
        [
            ":status": "200", "content-type": "application/grpc",
            "grpc-status": "\(status.code)", "grpc-message": Self.percentEncoded(message),
        ]
    }

    /// `grpc-message` is percent-encoded UTF-8: bytes outside printable ASCII and `%` itself.
    static func percentEncoded(_ message: String) -> String {
        var out = ""
        for byte in message.utf8 {
            if byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += byte < 0x10 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return out
    }
}
