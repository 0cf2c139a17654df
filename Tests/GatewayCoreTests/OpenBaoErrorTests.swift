import NIOCore
import Testing

@testable import GatewayCore

@Suite("OpenBao error classification")
struct OpenBaoErrorTests {
    func classify(_ status: Int, _ body: String, secrets: [SecretValue] = []) -> OpenBaoError {
        OpenBaoError.classify(status: status, body: Array(body.utf8), what: "reading secret/data/x", redacting: secrets)
    }

    @Test("statuses map to codes; the message says what was asked and what OpenBao said")
    func statuses() {
        let forbidden = classify(403, #"{"errors":["permission denied"]}"#)
        #expect(forbidden.code == .forbidden)
        #expect(forbidden.status == 403)
        #expect(forbidden.message.contains("reading secret/data/x"))
        #expect(forbidden.message.contains("permission denied"))
        #expect(forbidden.message.contains("policy"))
        #expect(classify(401, "").code == .forbidden)

        let missing = classify(404, #"{"errors":[]}"#)
        #expect(missing.code == .notFound)
        #expect(missing.message.contains("no secret at that path"))

        let noMount = classify(404, #"{"errors":["no handler for route \"nomount/data/x\". route entry not found."]}"#)
        #expect(noMount.code == .notFound)
        #expect(noMount.message.contains("no such mount"))

        #expect(classify(503, #"{"errors":["Vault is sealed"]}"#).code == .unavailable)
        #expect(classify(500, "oops").code == .unavailable)
        let rejected = classify(400, #"{"errors":["check-and-set parameter did not match the current version"]}"#)
        #expect(rejected.code == .rejected)
        #expect(rejected.message.contains("check-and-set"))
    }

    @Test("credentials the request carried are blanked out of OpenBao's error text")
    func redaction() {
        let error = classify(400, #"{"errors":["invalid secret id KNOWN-secret-id-77"]}"#, secrets: [SecretValue("KNOWN-secret-id-77")])
        #expect(!error.description.contains("KNOWN-secret-id-77"))
        #expect(error.description.contains("<redacted>"))
    }

    @Test("connection failures are named for an operator")
    func transport() {
        let address = EndpointURL(scheme: .http, host: "127.0.0.1", port: 1)
        let refused = OpenBaoHTTPTransport.classify(IOError(errnoCode: 111, reason: "connect"), what: "the token lookup", address: address)
        #expect(refused.code == .unreachable)
        #expect(refused.message.contains("OpenBao at http://127.0.0.1:1 could not be reached for the token lookup"))
    }
}
