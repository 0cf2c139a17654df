/// A header value from the configuration or a secret that cannot be sent as it is: it holds CR,
/// LF or NUL, so it would end the header (or the head) early. Found when routes are built, which
/// lets the data path write the gateway's own header values without checking each write.
struct HeaderValueIssue: Error {
    var key: String
    var what: String

    static func isUnsafe(_ value: String) -> Bool {
        value.utf8.contains { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") || $0 == 0 }
    }
}
