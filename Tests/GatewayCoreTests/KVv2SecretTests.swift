import Testing

@testable import GatewayCore

@Suite("KV v2 responses")
struct KVv2SecretTests {
    static let known = "KNOWN-kv-value-2b7e"
    let what = "secret/connectors/langboard"

    func parse(_ json: String) throws(OpenBaoError) -> KVv2Secret {
        try KVv2Secret(parsing: Array(json.utf8), what: what)
    }

    @Test("the value is at data.data.<field>, the version at data.metadata.version")
    func value() throws {
        let secret = try parse(
            """
            {"request_id":"r","lease_id":"","renewable":false,"lease_duration":0,
             "data":{"data":{"api_key":"\(Self.known)","port":8443,"tls":true,"nested":{"a":"b"},"list":["x"]},
                     "metadata":{"created_time":"2026-11-29T11:05:40Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":4}},
             "wrap_info":null,"warnings":null,"auth":null}
            """)
        #expect(secret.version == 4)
        #expect(try secret.value(of: "api_key", what: what).withUnredactedValue { $0 } == Self.known)
    }

    @Test("a missing field names the field and the fields there are, never a value")
    func missingField() throws {
        let secret = try parse(#"{"data":{"data":{"api_key":"\#(Self.known)","other":"x"},"metadata":{"version":1}}}"#)
        let error = #expect(throws: OpenBaoError.self) { try secret.value(of: "token", what: what) }
        #expect(error?.code == .missingField)
        #expect(error?.message.contains("no field 'token'") == true)
        #expect(error?.message.contains("api_key, other") == true)
        #expect(error?.description.contains(Self.known) == false)
    }

    @Test(
        "a number, boolean, object, list or empty string is the wrong type",
        arguments: [
            (#"8443"#, "a number"), (#"true"#, "a boolean"), (#"{"k":"KNOWN"}"#, "an object"), (#"["KNOWN"]"#, "a list"),
            (#"null"#, "null"), (#""""#, "an empty string"),
        ])
    func wrongType(json: String, kind: String) throws {
        let secret = try parse(#"{"data":{"data":{"f":\#(json)},"metadata":{"version":2}}}"#)
        let error = #expect(throws: OpenBaoError.self) { try secret.value(of: "f", what: what) }
        #expect(error?.code == .wrongType)
        #expect(error?.message.contains(kind) == true)
        #expect(error?.message.contains("KNOWN") == false)
    }

    @Test("a deleted version (data.data null, deletion_time set) is reported as deleted")
    func deleted() throws {
        let secret = try parse(#"{"data":{"data":null,"metadata":{"deletion_time":"2026-11-29T11:05:43Z","destroyed":false,"version":3}}}"#)
        #expect(secret.deleted)
        let error = #expect(throws: OpenBaoError.self) { try secret.value(of: "api_key", what: what) }
        #expect(error?.code == .deleted)
        #expect(error?.message.contains("version 3") == true)
    }

    @Test(
        "an answer that is not KV v2 (a KV v1 read, HTML, garbage) is a bad response",
        arguments: [
            #"{"data":{"api_key":"x"}}"#, "<html>", "", #"{"data":{"data":"text"}}"#,
        ])
    func notKV2(json: String) {
        let error = #expect(throws: OpenBaoError.self) { try parse(json) }
        #expect(error?.code == .badResponse)
        #expect(error?.message.contains("KV") == true || error?.message.contains("data.data") == true)
    }
}
