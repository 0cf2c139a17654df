import Testing

@testable import Connectors
@testable import GatewayCore

/// The one list of shipped kinds, and the registry built from it.
@Suite("Connector catalog and registry")
struct ConnectorCatalogTests {
    @Test("every kind is registered once, in catalog order")
    func everyKindOnce() {
        let registry = ConnectorCatalog.registry()
        let names = ConnectorCatalog.kinds.map(\.name)
        #expect(names == ["langboard", "nexus", "daytona", "cliproxy", "temporal", "http"])
        #expect(Set(names).count == names.count)
        #expect(registry.order == names)
        #expect(registry.all.map(\.name) == names)
        for name in names {
            #expect(registry.kind(named: name)?.name == name)
        }
        #expect(registry.kind(named: "vault") == nil)
        #expect(throws: Never.self) { try ConnectorRegistry(ConnectorCatalog.kinds) }
    }

    @Test("the registry refuses a duplicate kind")
    func duplicateRefused() throws {
        var registry = try ConnectorRegistry(ConnectorCatalog.kinds)
        let error = #expect(throws: ConnectorRegistry.DuplicateKind.self) { try registry.register(NexusKind()) }
        #expect(error?.kind == "nexus")
        #expect(error?.description.contains("'nexus'") == true)
        #expect(registry.order.count == ConnectorCatalog.kinds.count, "the duplicate was not added")
        #expect(throws: ConnectorRegistry.DuplicateKind.self) {
            try ConnectorRegistry([LangboardKind(), HTTPKind(), LangboardKind()])
        }
    }

    @Test("only cliproxy is a runtime gateway, and only it supports runtime_gateway")
    func runtimeGateway() {
        for kind in ConnectorCatalog.kinds {
            #expect(kind.supportedModes.contains(.runtimeGateway) == (kind.name == "cliproxy"), "\(kind.name)")
        }
    }

    @Test("each kind's declaration is consistent", arguments: ConnectorCatalog.kinds.map(\.name))
    func consistent(name: String) throws {
        let kind = try #require(ConnectorCatalog.registry().kind(named: name))
        #expect(kind.supportedModes.contains(kind.defaultMode))
        #expect(Set(kind.supportedModes).count == kind.supportedModes.count)
        #expect(!kind.summary.isEmpty)
        let keys = kind.settingSpecs.map(\.key)
        #expect(Set(keys).count == keys.count, "a key is declared twice: \(keys)")
        let variables = kind.settingSpecs.compactMap { $0.variable(prefix: "FRACTALOPS_X_") }
        #expect(Set(variables).count == variables.count, "an env variable is bound twice: \(variables)")
        for credential in kind.credentials {
            #expect(credential.settingSpec.type == .secret)
            let variable = InventoryLoader.envPrefix(for: kind.name) + credential.key.uppercased()
            if credential.key == "management_key" {
                #expect(SensitiveKey.isSensitive(credential.key) && SensitiveKey.isSensitive(variable))
            } else {
                #expect(SensitiveKey.isSensitive(credential.key), "\(credential.key) is not seen as sensitive")
                #expect(SensitiveKey.isSensitive(variable), "\(variable) is not seen as sensitive")
            }
        }
        for spec in kind.settingSpecs {
            #expect(!CommonSettings.rawInfraSelectors.contains(spec.key), "\(spec.key) is a raw selector")
            if let value = spec.defaultValue, case .choice(let values) = spec.type {
                #expect(value.stringValue.map(values.contains) == true, "\(spec.key) default \(value)")
            }
        }
        if case let .tcp(upstream, listen) = kind.traffic {
            #expect(kind.settingSpecs.contains { $0.key == upstream && $0.type == .address(allowAnyPort: false) })
            #expect(kind.settingSpecs.contains { $0.key == listen && $0.type == .address(allowAnyPort: true) })
            #expect(!keys.contains { CommonSettings.httpExecutorKeys.contains($0) }, "a TCP kind takes no HTTP executor key")
        }
    }
}
