import Testing

@testable import GatewayCore

@Suite("EndpointURL")
struct EndpointURLTests {
    @Test("parses scheme, host, port and path")
    func parses() throws {
        let url = try EndpointURL(parsing: "HTTPS://Langboard.Example.COM:8443/api/v1/")
        #expect(url.scheme == .https)
        #expect(url.host == "langboard.example.com")
        #expect(url.explicitPort == 8443)
        #expect(url.port == 8443)
        #expect(url.path == "/api/v1")
        #expect(url.authority == "langboard.example.com:8443")
        #expect(url.description == "https://langboard.example.com:8443/api/v1")
        #expect(try EndpointURL(parsing: url.description) == url)
    }

    @Test("default ports, root paths and IPv6 literals")
    func defaultsAndIPv6() throws {
        let http = try EndpointURL(parsing: "http://127.0.0.1")
        #expect(http.port == 80 && http.explicitPort == nil && http.path == "")
        #expect(http.authority == "127.0.0.1")
        let https = try EndpointURL(parsing: "https://example.com///")
        #expect(https.port == 443 && https.path == "")
        let v6 = try EndpointURL(parsing: "https://[FD00::15]:1002/scim/v2")
        #expect(v6.host == "fd00::15")
        #expect(v6.hostForURL == "[fd00::15]")
        #expect(v6.authority == "[fd00::15]:1002")
        #expect(v6.description == "https://[fd00::15]:1002/scim/v2")
        let bare = try EndpointURL(parsing: "http://[::1]")
        #expect(bare.host == "::1" && bare.port == 80 && bare.description == "http://[::1]")
        #expect(EndpointURL(scheme: .http, host: "::1", port: 8080).description == "http://[::1]:8080")
    }

    @Test(
        "refuses what is not an absolute http(s) base URL",
        arguments: [
            ("127.0.0.1:1002", EndpointURL.ParseError.notAbsolute),
            ("//127.0.0.1", .notAbsolute),
            ("ftp://127.0.0.1", .unsupportedScheme("ftp")),
            ("HTTPX://host", .unsupportedScheme("httpx")),
            ("https://", .missingHost),
            ("https://:8443", .missingHost),
            ("https:///path", .missingHost),
            ("https://[::1", .missingHost),
            ("https://[::1]8080", .missingHost),
            ("https://user:pass@host", .userInfo),
            ("https://token@host/x", .userInfo),
            ("https://host:0", .badPort("0")),
            ("https://host:65536", .badPort("65536")),
            ("https://host:", .badPort("")),
            ("https://host:http", .badPort("http")),
            ("https://[::1]:99999", .badPort("99999")),
            ("https://host/x?debug=1", .queryOrFragment),
            ("https://host/#top", .queryOrFragment),
            ("https://host/a b", .whitespace),
            (" https://host", .whitespace),
        ])
    func refuses(text: String, expected: EndpointURL.ParseError) {
        #expect(throws: expected) { try EndpointURL(parsing: text) }
        #expect(!expected.description.isEmpty)
    }

    @Test(
        "an unbracketed IPv6 address is refused, not misread as host:port",
        arguments: [
            "http://::1", "http://fd00::15:8080", "https://fe80::1/api",
        ])
    func unbracketedIPv6(text: String) {
        #expect(throws: EndpointURL.ParseError.self) { try EndpointURL(parsing: text) }
    }

    @Test("a port with a sign is refused")
    func signedPort() {
        #expect(throws: EndpointURL.ParseError.self) { try EndpointURL(parsing: "https://host:+443") }
    }

    @Test("messages say what is wrong without the credentials they refuse")
    func messages() {
        #expect(EndpointURL.ParseError.userInfo.description.contains("credentials"))
        #expect(EndpointURL.ParseError.badPort("0").description.contains("'0'"))
        #expect(EndpointURL.ParseError.unsupportedScheme("ftp").description.contains("'ftp'"))
    }
}
