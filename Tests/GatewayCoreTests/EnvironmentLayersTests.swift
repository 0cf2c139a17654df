import Testing

@testable import GatewayCore

@Suite("EnvironmentLayers")
struct EnvironmentLayersTests {
    @Test("later files win, the process wins over files, every value says where it came from")
    func lookup() throws {
        let generated = try DotEnvFile(parsing: "A=gen\nB=gen\nC=gen\n", path: ".env.generated")
        let overlay = try DotEnvFile(parsing: "# lab\nB=overlay\nC=overlay\n", path: "lab.env")
        let layers = EnvironmentLayers(files: [generated, overlay], process: ["C": "process", "D": ""])
        #expect(layers.lookup("A") == Sourced("gen", from: .envFile(name: "A", path: ".env.generated", line: 1)))
        #expect(layers.lookup("B") == Sourced("overlay", from: .envFile(name: "B", path: "lab.env", line: 2)))
        #expect(layers.lookup("C") == Sourced("process", from: .processEnvironment(name: "C")))
        #expect(layers.lookup("D")?.value == "", "an empty process variable is still set")
        #expect(layers.lookup("E") == nil)
        #expect(layers.lookup("B")?.source.description == "B from lab.env:2")
        #expect(layers.lookup("C")?.source.description == "C from the process environment")
    }

    @Test("names(withPrefix:) sees every layer once, sorted")
    func names() throws {
        let file = try DotEnvFile(parsing: "FRACTALOPS_X_A=1\nFRACTALOPS_X_B=1\nOTHER=1\n", path: "a.env")
        let layers = EnvironmentLayers(files: [file], process: ["FRACTALOPS_X_B": "2", "FRACTALOPS_X_C": "3", "FRACTALOPS_Y": "4"])
        #expect(layers.names(withPrefix: "FRACTALOPS_X_") == ["FRACTALOPS_X_A", "FRACTALOPS_X_B", "FRACTALOPS_X_C"])
        #expect(layers.names(withPrefix: "NOPE_").isEmpty)
    }

    @Test(
        "FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE",
        arguments: [
            ("true", true), ("TRUE", true), ("1", true), ("yes", true), ("false", false), ("0", false), ("no", false),
            ("", false), ("maybe", false),
        ])
    func requireReference(text: String, expected: Bool) throws {
        let file = try DotEnvFile(parsing: "FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=\(text)\n", path: "a.env")
        #expect(EnvironmentLayers(files: [file]).requireReferenceForSensitive == expected)
        #expect(EnvironmentLayers(process: [EnvironmentLayers.requireRefVariable: text]).requireReferenceForSensitive == expected)
        #expect(!EnvironmentLayers().requireReferenceForSensitive)
    }

    @Test("env booleans")
    func bools() {
        for text in ["true", "True", "1", "yes", "YES"] { #expect(BoolParser.parse(text) == true, "\(text)") }
        for text in ["false", "FALSE", "0", "no", "No"] { #expect(BoolParser.parse(text) == false, "\(text)") }
        for text in ["", "maybe", "on", "off", "2", " true"] { #expect(BoolParser.parse(text) == nil, "\(text)") }
    }
}
