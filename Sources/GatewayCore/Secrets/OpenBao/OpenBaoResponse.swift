/// OpenBao's answer: the status and the (small, JSON) body.
package struct OpenBaoResponse: Sendable {
    package var status: Int
    package var body: [UInt8]

    package init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    package init(status: Int, json: String) {
        self.init(status: status, body: Array(json.utf8))
    }

    var isSuccess: Bool { (200..<300).contains(status) }
}
