import Testing

@testable import GatewayCore

@Suite("Suggestion")
struct SuggestionTests {
    static let keys = ["executor_url", "host_header", "verify_tls", "public_url", "internal_url", "scim_base_url"]

    @Test(
        "suggests the closest key within a small edit distance",
        arguments: [
            ("host_heder", "host_header"),
            ("HOST_HEADER", "host_header"),
            ("executer_url", "executor_url"),
            ("verfiy_tls", "verify_tls"),
            ("publc_url", "public_url"),
            ("scim_bas_url", "scim_base_url"),
        ])
    func suggests(word: String, expected: String) {
        #expect(Suggestion.closest(to: word, in: Self.keys) == expected)
        #expect(Suggestion.didYouMean(word, in: Self.keys) == " Did you mean '\(expected)'?")
    }

    @Test("no suggestion for a word far from every candidate")
    func noSuggestion() {
        #expect(Suggestion.closest(to: "vmid", in: Self.keys) == nil)
        #expect(Suggestion.closest(to: "completely_different", in: Self.keys) == nil)
        #expect(Suggestion.closest(to: "anything", in: [String]()) == nil)
        #expect(Suggestion.didYouMean("vmid", in: Self.keys) == "")
    }

    @Test("the nearest candidate wins; an exact match is distance zero")
    func nearestWins() {
        #expect(Suggestion.closest(to: "scim", in: ["scim_projected", "scim", "poll"]) == "scim")
        #expect(Suggestion.closest(to: "hybird", in: ["hybrid", "scim", "jit"]) == "hybrid")
        #expect(
            Suggestion.closest(to: "langbord", in: ["langboard", "nexus", "daytona", "cliproxy", "temporal", "http"])
                == "langboard")
    }
}
