import Testing

@testable import Connectors
@testable import GatewayCore

/// render-env's promise: what it writes parses back to exactly the projected values, rendering
/// twice gives the same bytes, and loading the inventory with the rendered env changes nothing.
@Suite("render-env round trip")
struct RenderEnvRoundTripTests {
    @Test func theRenderedEnvParsesBackAndChangesNoEffectiveValue() throws {
        let yaml = try TestInventory.packageFile("connectors.yaml")
        let overlay = try TestInventory.envFile(
            """
            FRACTALOPS_STATUS_PAGE_RUNTIME_ASSET_ROLE="integration #2 'lab' \\$HOME"
            FRACTALOPS_LANGBOARD_EXECUTOR_URL=https://langboard-executor.lab.internal:1002
            """, path: "lab.env")
        let configuration = try TestInventory.load(yaml, files: [overlay])
        let projection = EnvProjection.project(configuration)
        #expect(projection.first?.key == "FRACTALOPS_RUNTIME_ASSET_ID", "canonical selectors come first")
        #expect(projection.contains { $0.key == "FRACTALOPS_NEXUS_URL" && $0.value == "https://127.0.0.1:9443" })
        #expect(projection.contains { $0.key == "FRACTALOPS_TEMPORAL_EXECUTOR_ADDRESS" && $0.value == "127.0.0.1:7233" })

        let template = try DotEnvFile(parsing: TestInventory.packageFile(".env.example"), path: ".env.example")
        let renderer = EnvRenderer(
            template: template, overlays: [overlay], requireReferenceForSensitive: true,
            secretVariables: EnvProjection.secretVariables(configuration))
        let text = try renderer.render(projection)
        #expect(try renderer.render(projection) == text, "rendering twice gives identical bytes")

        let parsed = try DotEnvFile(parsing: text, path: "rendered.env")
        for entry in projection {
            #expect(parsed.values[entry.key]?.value == entry.value, "\(entry.key) does not parse back")
        }
        #expect(parsed.values["FRACTALOPS_STATUS_PAGE_RUNTIME_ASSET_ROLE"]?.value == "integration #2 'lab' $HOME")

        let reloaded = try TestInventory.load(yaml, files: [parsed])
        #expect(reloaded.connectorNames == configuration.connectorNames)
        for (before, after) in zip(configuration.connectors, reloaded.connectors) {
            #expect(after.connectorMode == before.connectorMode)
            #expect(after.machineRoute.description.split(separator: " ").first == before.machineRoute.description.split(separator: " ").first)
            for (key, value) in before.settings.ordered {
                #expect(after.settings[key]?.value == value.value, "\(before.name).\(key) changed")
            }
        }
    }
}
