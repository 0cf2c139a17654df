import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayCore

/// Who may open a connection on a TCP listener that terminates TLS.
@Suite("TCP admission")
struct TCPAdmissionTests {
    static let settings = TCPListener.Settings(
        connector: "temporal", listen: HostPort(host: "127.0.0.1", port: 0), upstream: HostPort(host: "127.0.0.1", port: 7233),
        maxConnections: 1, idleTimeout: .seconds(90), connectTimeout: .seconds(1))

    static let principals = PrincipalDirectory(
        principals: [
            Principal(
                name: "worker", location: "x:1", token: nil, connectors: ["temporal"], permissions: [],
                certificate: CertificateMatch(uriSAN: try! NamePattern.parse("spiffe://fractalops/worker/*").get())),
            Principal(
                name: "limited", location: "x:2", token: nil, connectors: ["lb"], permissions: [],
                certificate: CertificateMatch(uriSAN: try! NamePattern.parse("spiffe://fractalops/limited/*").get())),
        ], secrets: SecretStore())

    static func decide(_ certificate: CallerCertificate?, principals: PrincipalDirectory = principals, verifies: Bool = true) -> String {
        switch TCPListener.decide(certificate, principals: principals, settings: settings, verifiesCallers: verifies) {
        case let .admit(principal): "admit \(principal ?? "-")"
        case let .refuse(reason): "refuse: \(reason)"
        }
    }

    @Test func onlyACertificateOfAPrincipalAllowedOnTheConnectorIsAdmitted() {
        #expect(Self.decide(CallerCertificate(uriSANs: ["spiffe://fractalops/worker/1"])) == "admit worker")
        #expect(
            Self.decide(CallerCertificate(uriSANs: ["spiffe://fractalops/limited/1"])).contains(
                "principal 'limited', which may not use connector 'temporal'"))
        #expect(Self.decide(CallerCertificate(subjectCN: "nobody")).contains("matches no principal"))
        #expect(Self.decide(nil) == "refuse: the caller presented no client certificate")
        #expect(Self.decide(CallerCertificate(uriSANs: ["spiffe://fractalops/worker/1"]), verifies: false).contains("no client_ca_file"))
    }

    @Test func withoutPrincipalsEveryCallerIsAdmitted() {
        let none = PrincipalDirectory(principals: [], secrets: SecretStore())
        #expect(Self.decide(nil, principals: none) == "admit -")
    }

    @Test func aCallerThatNeverFinishesItsHandshakeIsClosed() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        var refusals: [String] = []
        let gate = TCPCallerGate(
            admit: { _ in .admit(principal: nil) },
            onRefused: { reason, handshake in
                refusals.append("\(handshake) \(reason)")
            })
        try channel.pipeline.syncOperations.addHandler(gate)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        loop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
        #expect(refusals == ["true the TLS handshake did not finish within 10 s"])
    }
}
