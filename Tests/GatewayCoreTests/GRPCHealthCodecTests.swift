import Testing

@testable import GatewayCore

/// The hand-written gRPC framing and protobuf of grpc.health.v1, byte for byte.
@Suite("gRPC health framing")
struct GRPCHealthCodecTests {
    @Test func theRequestIsALengthPrefixedHealthCheckRequest() {
        let service = "temporal.api.workflowservice.v1.WorkflowService"
        let bytes = GRPCHealthCodec.request(service: service)
        let message = [0x0A, UInt8(service.utf8.count)] + Array(service.utf8)
        #expect(bytes == [0, 0, 0, 0, UInt8(message.count)] + message)
        #expect(bytes.count == 5 + 2 + 47)
    }

    @Test func anEmptyServiceIsAnEmptyMessage() {
        #expect(GRPCHealthCodec.request(service: "") == [0, 0, 0, 0, 0])
    }

    @Test func longNamesUseAMultiByteVarintLength() {
        let service = String(repeating: "s", count: 300)
        let bytes = GRPCHealthCodec.request(service: service)
        // 300 = 0b1_0010_1100 -> 0xAC 0x02
        #expect(Array(bytes[5...7]) == [0x0A, 0xAC, 0x02])
        let length = 3 + 300
        #expect(Array(bytes[0...4]) == [0, 0, 0, UInt8(length >> 8), UInt8(length & 0xFF)])
    }

    @Test func servingStatusesDecode() throws {
        #expect(try GRPCHealthCodec.servingStatus(fromMessage: [0x08, 0x01]) == .serving)
        #expect(try GRPCHealthCodec.servingStatus(fromMessage: [0x08, 0x02]) == .notServing)
        #expect(try GRPCHealthCodec.servingStatus(fromMessage: [0x08, 0x03]) == .serviceUnknown)
        // proto3 leaves the default (UNKNOWN = 0) out.
        #expect(try GRPCHealthCodec.servingStatus(fromMessage: []) == .unknown)
    }

    @Test func unknownFieldsAreSkipped() throws {
        // field 2 string "ab", field 3 fixed32, field 4 fixed64, then status SERVING, then field 5 varint 300
        let message: [UInt8] = [0x12, 0x02, 0x61, 0x62, 0x1D, 1, 2, 3, 4, 0x21, 1, 2, 3, 4, 5, 6, 7, 8, 0x08, 0x01, 0x28, 0xAC, 0x02]
        #expect(try GRPCHealthCodec.servingStatus(fromMessage: message) == .serving)
    }

    @Test func malformedMessagesAreRefused() {
        #expect(throws: GRPCHealthCodec.DecodingError.self) { try GRPCHealthCodec.servingStatus(fromMessage: [0x08]) }
        #expect(throws: GRPCHealthCodec.DecodingError.self) { try GRPCHealthCodec.servingStatus(fromMessage: [0x12, 0x05, 0x61]) }
        #expect(throws: GRPCHealthCodec.DecodingError.self) { try GRPCHealthCodec.servingStatus(fromMessage: [0x08, 0x09]) }
        #expect(throws: GRPCHealthCodec.DecodingError.self) { try GRPCHealthCodec.servingStatus(fromMessage: [0x0B]) }
    }

    @Test func framesAreReadOnlyWhenComplete() throws {
        let framed = GRPCHealthCodec.frame([0x08, 0x01])
        #expect(framed == [0, 0, 0, 0, 2, 0x08, 0x01])
        #expect(try GRPCHealthCodec.firstMessage(in: Array(framed.prefix(4))) == nil)
        #expect(try GRPCHealthCodec.firstMessage(in: Array(framed.prefix(6))) == nil)
        #expect(try GRPCHealthCodec.firstMessage(in: framed) == [0x08, 0x01])
        #expect(throws: GRPCHealthCodec.DecodingError.self) {
            try GRPCHealthCodec.firstMessage(in: GRPCHealthCodec.frame([0x08, 0x01], compressed: true))
        }
    }
}
