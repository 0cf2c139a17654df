import FoundationEssentials
import TestSupport
import Testing

@testable import GatewayCore

/// Property: any truncation or byte flip of the bundled connectors.yaml either loads or is
/// refused with a ConfigError whose issues are well formed. Never a crash.
@Suite("Mutated bundled inventory")
struct InventoryMutationTests {
    /// Bytes that are likely to change how YAML reads a document.
    static let interesting: [UInt8] = Array(":-#'\"{}[],&*!|>%@`?\t\n \\".utf8) + [0x00, 0x7F, 0xC3, 0xFF]

    enum Mutation: CustomStringConvertible {
        case truncate(at: Int)
        case flip(offsets: [Int], bytes: [UInt8])
        case truncateAndFlip(at: Int, offset: Int, byte: UInt8)

        var description: String {
            switch self {
            case let .truncate(at): return "truncate at \(at)"
            case let .flip(offsets, bytes): return "flip \(zip(offsets, bytes).map { "\($0)->\($1)" })"
            case let .truncateAndFlip(at, offset, byte): return "truncate at \(at), flip \(offset)->\(byte)"
            }
        }

        func apply(to original: [UInt8]) -> [UInt8] {
            var bytes = original
            switch self {
            case let .truncate(at):
                bytes.removeSubrange(at...)
            case let .flip(offsets, values):
                for (offset, value) in zip(offsets, values) { bytes[offset] = value }
            case let .truncateAndFlip(at, offset, value):
                bytes.removeSubrange(at...)
                if offset < bytes.count { bytes[offset] = value }
            }
            return bytes
        }
    }

    static func mutations(seed: UInt64, count: Int, length: Int) -> [Mutation] {
        var random = SplitMix64(seed: seed)
        func byte() -> UInt8 {
            Bool.random(using: &random) ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
        }
        return (0..<count).map { _ in
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                return .truncate(at: Int.random(in: 0..<length, using: &random))
            case 1:
                let flips = Int.random(in: 1...4, using: &random)
                return .flip(
                    offsets: (0..<flips).map { _ in Int.random(in: 0..<length, using: &random) },
                    bytes: (0..<flips).map { _ in byte() })
            default:
                return .truncateAndFlip(
                    at: Int.random(in: 1..<length, using: &random), offset: Int.random(in: 0..<length, using: &random),
                    byte: byte())
            }
        }
    }

    @Test(
        "truncations and byte flips load or are refused, never crash",
        arguments: [0x5EED_0001, 0x5EED_0002, 0x5EED_0003, 0x5EED_0004] as [UInt64])
    func mutationsNeverCrash(seed: UInt64) throws {
        let original = Array(try TestInventory.packageFile("connectors.yaml").utf8)
        let demo = try TestInventory.demoEnv()
        let secrets = demo.entries.map(\.value)
        let loader = TestInventory.loader(files: [demo])
        var loaded = 0
        var refused = 0
        for (index, mutation) in Self.mutations(seed: seed, count: 150, length: original.count).enumerated() {
            let text = String(decoding: mutation.apply(to: original), as: UTF8.self)
            do {
                let config = try loader.load(text: text, path: "connectors.yaml", baseDirectory: TestInventory.packageRoot.path)
                loaded += 1
                #expect(config.connectors.allSatisfy { !$0.name.isEmpty })
            } catch {
                refused += 1
                let context = "seed \(seed) #\(index) (\(mutation))"
                #expect(!error.errors.isEmpty, "\(context): a ConfigError without errors")
                for issue in error.issues {
                    #expect(issue.location?.hasPrefix("connectors.yaml") == true, "\(context): \(issue)")
                    #expect(!issue.problem.isEmpty && !issue.fix.isEmpty, "\(context): \(issue)")
                    let message = issue.description
                    #expect(!secrets.contains { message.contains($0) }, "\(context): a secret in \(message)")
                }
            }
        }
        #expect(loaded + refused == 150)
        #expect(refused > 0, "the mutations must break something")
        #expect(loaded > 0, "some mutations (in comments, say) keep the inventory valid")
    }
}
