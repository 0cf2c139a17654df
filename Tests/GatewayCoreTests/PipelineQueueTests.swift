import NIOCore
import NIOHTTP1
import Testing

@testable import GatewayCore

@Suite("pipeline queue")
struct PipelineQueueTests {
    @Test func partsComeOutInOrderAndTheSizeBoundsReads() {
        var queue = PipelineQueue()
        #expect(queue.isEmpty && !queue.isFull)
        queue.append(.head(CallerRequestHead(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/a"))))
        queue.append(.body(ByteBuffer(repeating: 0x61, count: PipelineQueue.maxBytes)))
        queue.append(.end(nil))
        #expect(queue.isFull, "a full queue stops reads")
        guard case .head? = queue.popFirst(), case .body? = queue.popFirst() else {
            Issue.record("parts out of order")
            return
        }
        #expect(!queue.isFull)
        guard case .end? = queue.popFirst() else {
            Issue.record("the end is missing")
            return
        }
        #expect(queue.isEmpty && queue.bytes == 0)
        #expect(queue.popFirst() == nil)
    }
}
