/// An upstream's response head found in its bytes without copying them (`ResponseHeadScanner`).
struct ScannedResponseHead: Equatable {
    var status: Int
    /// 0 or 1: the head is `HTTP/1.0` or `HTTP/1.1`.
    var minorVersion: Int
    /// The reason phrase (possibly empty).
    var reason: Range<Int>
    var fields: ScannedFields
}
