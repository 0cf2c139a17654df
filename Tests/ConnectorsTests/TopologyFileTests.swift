import Testing

@testable import Connectors
@testable import GatewayCore

/// A platform topology file given to `--inventory` directly: the seed's sections beside
/// `connector_inventory` are ignored, and other tools' keys in connector entries are warnings.
@Suite("topology files")
struct TopologyFileTests {
    /// The shape of the platform's topology (the seed's sections), with connector entries that
    /// also carry keys other tools read.
    static let topology = """
        runtime_ssot:
          public_url: https://fractalops.example.com
          internal_url: http://fractalops.internal:8080
          local_url: http://127.0.0.1:8080
        principal_defaults:
          cli: {principal: operator}
          system: {principal: fractalops-system}
          audit: {principal: fractalops-audit}
        identity_plane:
          session_trust:
            enabled: true
            provider: pomerium
            pomerium: {protected_hosts: [portal.example.com]}
        service_profiles:
          portal: {runtime_type: k8s}
        runtime_dependencies:
          postgres: {runtime_type: k8s}
        connector_inventory:
          - name: langboard
            kind: langboard
            mode: project
            public_url: https://langboard.example.com
            executor_url: https://127.0.0.1:1002
            host_header: langboard.internal
            runtime_asset: {id: langboard-api, role: executor}
            auth: {api_key: "env://FRACTALOPS_DEMO_LANGBOARD_API_KEY"}
            owner_team: product
            dns: {zone: example.com, record: langboard}
          - name: nexus
            kind: nexus
            mode: project
            connector_mode: scim
            scim_base_url: https://127.0.0.1:9443/scim/v2
            auth: {token: "env://FRACTALOPS_DEMO_NEXUS_SCIM_TOKEN"}
            tofu_module: nexus-scim
        """

    @Test func theSeedsSectionsAreIgnoredAndOtherToolsKeysAreWarnings() throws {
        let configuration = try #require(expectLoads(Self.topology))
        #expect(configuration.isTopologyFile)
        #expect(
            configuration.ignoredSections.sorted()
                == ["identity_plane", "principal_defaults", "runtime_dependencies", "runtime_ssot", "service_profiles"])
        #expect(configuration.connectorNames == ["langboard", "nexus"])
        let unknown = configuration.warnings.filter { $0.code == .unknownKey }
        #expect(Set(unknown.compactMap(\.key)) == ["owner_team", "dns", "tofu_module"])
        #expect(unknown.allSatisfy { $0.severity == .warning && $0.problem.contains("ignored in this topology file") })
        #expect(unknown.first { $0.key == "tofu_module" }?.connector == "nexus")
    }

    @Test func theSameKeysInAGatewayInventoryAreErrors() {
        let inventory =
            "gateway: {listen: 127.0.0.1:8080}\n"
            + Self.topology
            .split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("connector_inventory:") }
            .joined(separator: "\n")
        let error = TestInventory.refusal(inventory)
        let keys = Set(error?.errors.filter { $0.code == .unknownKey }.compactMap(\.key) ?? [])
        #expect(keys == ["owner_team", "dns", "tofu_module"])
    }
}
