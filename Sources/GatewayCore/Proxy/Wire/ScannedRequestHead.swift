/// A caller's request head found in its bytes without copying them (`RequestHeadScanner`).
struct ScannedRequestHead: Equatable {
    var method: Range<Int>
    var target: Range<Int>
    /// 0 or 1: the head is `HTTP/1.0` or `HTTP/1.1`.
    var minorVersion: Int
    var fields: ScannedFields
}
