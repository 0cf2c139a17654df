import Testing

@testable import GatewayCore

@Suite("HostPort")
struct HostPortTests {
    @Test(
        "parses host:port and [v6]:port",
        arguments: [
            ("127.0.0.1:7233", "127.0.0.1", 7233),
            ("temporal-frontend.temporal.svc.cluster.local:7233", "temporal-frontend.temporal.svc.cluster.local", 7233),
            ("localhost:1", "localhost", 1),
            ("[::1]:7233", "::1", 7233),
            ("[fd00::7]:65535", "fd00::7", 65535),
            ("[fe80::1%eth0]:80", "fe80::1%eth0", 80),
        ])
    func parses(text: String, host: String, port: Int) throws {
        let address = try #require(HostPort(parsing: text))
        #expect(address == HostPort(host: host, port: port))
        #expect(address.description == text)
        #expect(HostPort(parsing: address.description) == address)
    }

    @Test(
        "refuses what is not host:port",
        arguments: [
            "", "127.0.0.1", "127.0.0.1:", ":7233", "::1:7233", "fd00::7", "[::1]", "[::1]:", "[::1]7233", "[]:80",
            "[::1:80", "host:0", "host:65536", "host:-1", "host:port", "http://host:80", "host:80/", "a b:80",
            "host :80", "host:80 ",
        ])
    func refuses(text: String) {
        #expect(HostPort(parsing: text) == nil)
    }

    @Test("a port with a sign is refused")
    func signedPort() {
        #expect(HostPort(parsing: "127.0.0.1:+7233") == nil)
    }

    @Test("port 0 only for listeners")
    func anyPort() {
        #expect(HostPort(parsing: "127.0.0.1:0") == nil)
        #expect(HostPort(parsing: "127.0.0.1:0", allowAnyPort: true) == HostPort(host: "127.0.0.1", port: 0))
        #expect(HostPort(parsing: "[::]:0", allowAnyPort: true) == HostPort(host: "::", port: 0))
        #expect(HostPort(host: "::", port: 0).description == "[::]:0")
    }
}
