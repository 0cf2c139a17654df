import Foundation
import Testing

@testable import Connectors
@testable import GatewayCore

/// `gateway.identity.pomerium` and principals' `pomerium: {emails, groups}`.
@Suite("Pomerium settings")
struct PomeriumSettingsTests {
    static func yaml(_ identity: String, principal: String = "      pomerium: {emails: [ops@example.com], groups: [ops]}") -> String {
        "gateway:\n\(identity)\n  principals:\n    - name: operator\n      connectors: [\"*\"]\n\(principal)\nconnector_inventory: []\n"
    }

    @Test func theSeedsVariablesConfigureIt() throws {
        let configuration = try TestInventory.load(
            Self.yaml("  identity: {pomerium: {audience: gateway.example}}"),
            process: [
                "FRACTALOPS_POMERIUM_ISSUER": "authenticate.example",
                "FRACTALOPS_POMERIUM_JWKS_URL": "https://authenticate.example/.well-known/pomerium/jwks.json",
            ])
        let pomerium = try #require(configuration.gateway.pomerium)
        #expect(pomerium.issuer == "authenticate.example" && pomerium.audience == "gateway.example")
        #expect(pomerium.jwksURL.description == "https://authenticate.example/.well-known/pomerium/jwks.json")
        #expect(pomerium.refreshInterval == 300 && pomerium.maxStale == 3600 && pomerium.leeway == 30)
        let operatorPrincipal = try #require(configuration.gateway.principal(named: "operator"))
        #expect(operatorPrincipal.token == nil && operatorPrincipal.pomerium?.description == "emails ops@example.com; groups ops")
        let explain = ExplainReport(configuration).text
        #expect(explain.contains("FRACTALOPS_POMERIUM_ISSUER"))
        #expect(explain.contains("principal operator: pomerium emails ops@example.com; groups ops"))
    }

    @Test func halfAConfigurationNamesWhatIsMissing() throws {
        let error = try #require(TestInventory.refusal(Self.yaml("  identity: {pomerium: {issuer: authenticate.example}}")))
        let keys = Set(error.errors.filter { $0.code == .requiredKey }.compactMap(\.key))
        #expect(keys.isSuperset(of: ["gateway.identity.pomerium.jwks_url", "gateway.identity.pomerium.audience"]))
        #expect(error.errors.contains { $0.key == "gateway.identity.pomerium.jwks_url" && $0.fix.contains("FRACTALOPS_POMERIUM_JWKS_URL") })
    }

    @Test func pomeriumPrincipalsNeedTheIdentitySection() throws {
        let error = try #require(TestInventory.refusal(Self.yaml("  listen: 127.0.0.1:0")))
        let issue = try #require(error.errors.first { $0.key == "pomerium" })
        #expect(issue.fix.contains("gateway.identity.pomerium") && location(issue.location, names: "connectors.yaml:4"))
    }

    @Test func anEmptyOrMisspelledPomeriumMappingIsAnError() throws {
        let identity = "  identity: {pomerium: {issuer: a, jwks_url: \"https://a.example/jwks.json\", audience: g}}"
        let empty = try #require(TestInventory.refusal(Self.yaml(identity, principal: "      pomerium: {emails: []}")))
        #expect(empty.errors.contains { $0.key == "pomerium" && $0.problem.contains("no email and no group") })
        let typo = try #require(TestInventory.refusal(Self.yaml(identity, principal: "      pomerium: {email: [a@b.c]}")))
        #expect(typo.errors.contains { $0.code == .unknownKey && $0.problem.contains("Did you mean 'emails'") })
    }
}
