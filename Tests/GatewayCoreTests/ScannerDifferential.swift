import Testing

@testable import GatewayCore

/// A scanner's test against llhttp: the real messages it starts from, and one check of the
/// rule (what the scanner accepts, NIO's decoder reads the same) that says what the scanner
/// made of the bytes. The checks every scanner shares are here.
protocol ScannerDifferential {
    static var seeds: [String] { get }
    static func verdict(_ bytes: [UInt8]) -> HeadMutations.Verdict
}

extension HeadScan {
    var verdict: HeadMutations.Verdict {
        switch self {
        case .head: .accepted
        case .refused: .refused
        case .needMoreBytes: .unfinished
        }
    }
}

extension LLHTTPOutcome {
    var verdict: HeadMutations.Verdict {
        switch self {
        case .read: .accepted
        case .refused: .refused
        case .unfinished: .unfinished
        }
    }
}

extension ScannedFields {
    /// The body these fields declare, so that NIO reads one whole message: that many bytes, or
    /// an empty chunked body.
    var declaredBody: [UInt8] {
        chunked ? Array("0\r\n\r\n".utf8) : Array(repeating: UInt8(ascii: "x"), count: contentLength ?? 0)
    }
}

extension ScannerDifferential {
    /// Each seed is accepted whole.
    static func expectSeedsAccepted(sourceLocation: SourceLocation = #_sourceLocation) {
        for seed in seeds {
            #expect(verdict(Array(seed.utf8)) == .accepted, "refused a real one: \(seed.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    /// Each proper prefix of each seed is unfinished: never accepted early, never refused.
    static func expectPrefixesUnfinished(sourceLocation: SourceLocation = #_sourceLocation) {
        for seed in seeds {
            let bytes = Array(seed.utf8)
            for end in 0..<bytes.count {
                #expect(verdict(Array(bytes[..<end])) == .unfinished, "prefix \(end) of \(seed.debugDescription)", sourceLocation: sourceLocation)
            }
        }
    }

    /// 10,000 seeded mutations keep the rule, and at least `minimum` of them are accepted and
    /// as many refused, so that the check means something.
    static func expectMutationsAgree(minimum: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let tally = HeadMutations.tally(seeds: seeds, count: 10000, verdict)
        #expect(tally.accepted > minimum && tally.refused > minimum, "\(tally)", sourceLocation: sourceLocation)
    }
}
