import TestSupport

/// Seeded mutations of HTTP/1 heads for the scanner tests: one to three bytes inserted, replaced
/// or deleted, or a line written twice, with bytes where parsers disagree most (line ends,
/// whitespace, separators, controls, obs-text). The same cases on every run.
enum HeadMutations {
    static let alphabet: [UInt8] = [0x0D, 0x0A, 0x20, 0x09, 0x00, 0x7F, 0x80, 0xFF, 0x0B, 0x0C] + Array(":;,/?#%@\\\"=aA0-_.*+".utf8)

    /// What a check made of one mutation.
    enum Verdict {
        case accepted
        case refused
        case unfinished
    }

    /// Runs `count` mutations of `seeds` through `check`; how many it accepted and refused (a
    /// test asks for enough of each for the check to mean something).
    static func tally(
        seeds: [String], count: Int, seed: UInt64 = 0x5EED_F00D, _ check: ([UInt8]) -> Verdict
    ) -> (
        accepted: Int, refused: Int
    ) {
        var tally = (accepted: 0, refused: 0)
        run(seeds: seeds, count: count, seed: seed) { bytes in
            switch check(bytes) {
            case .accepted: tally.accepted += 1
            case .refused: tally.refused += 1
            case .unfinished: break
            }
        }
        return tally
    }

    static func run(seeds: [String], count: Int, seed: UInt64 = 0x5EED_F00D, _ check: ([UInt8]) -> Void) {
        var random = SplitMix64(seed: seed)
        for round in 0..<count {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0...(random.next() % 3) {
                let position = Int(random.next() % UInt64(bytes.count))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 4 {
                case 0: bytes.insert(byte, at: position)
                case 1: bytes[position] = byte
                case 2: bytes.remove(at: position)
                default:
                    let lineEnd = bytes[position...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
                    let lineStart = bytes[..<position].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
                    bytes.insert(contentsOf: bytes[lineStart..<lineEnd], at: lineEnd)
                }
            }
            check(bytes)
        }
    }
}
