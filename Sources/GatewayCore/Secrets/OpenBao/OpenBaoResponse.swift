/// OpenBao's answer: the status and the (small, JSON) body.
public struct OpenBaoResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    public init(status: Int, json: String) {
        self.init(status: status, body: Array(json.utf8))
    }

    var isSuccess: Bool { (200..<300).contains(status) }
}
