import TestSupport
import Testing

@testable import GatewayCore

/// The canonical path rule (RFC 3986 5.2.4 and 6.2.2): what the data path decides on and forwards.
@Suite("canonical paths")
struct CanonicalPathTests {
    @Test(arguments: [
        ("", ""),
        ("/", "/"),
        ("/v1/models", "/v1/models"),
        ("/v1beta/models/m:streamGenerateContent", "/v1beta/models/m:streamGenerateContent"),
        ("/a..b/c.d/.e", "/a..b/c.d/.e"),
        ("/a%20b", "/a%20b"),
        ("/a%2a", "/a%2A"),
        ("/%61%62%7E%2d%5f%2E", "/ab~-_."),
        ("//v0/management", "/v0/management"),
        ("/v0//management/x", "/v0/management/x"),
        ("/v0/./management", "/v0/management"),
        ("/x/../v0/management", "/v0/management"),
        ("/v0/%6danagement", "/v0/management"),
        ("/a/b/..", "/a/"),
        ("/a/b/.", "/a/b/"),
        ("/a/b/", "/a/b/"),
        ("/a/%2e%2e/b", "/b"),
        ("/a/./../b/", "/b/"),
        ("//", "/"),
        ("/.", "/"),
        ("/caf%C3%A9", "/caf%C3%A9"),
    ])
    func canonicalForms(path: String, expected: String) throws {
        let result = try CanonicalPath.canonicalize(Substring(path)).get()
        #expect(String(result) == expected)
        // Canonical is a fixed point.
        #expect(String(try CanonicalPath.canonicalize(result).get()) == expected)
    }

    @Test(arguments: [
        ("/..", CanonicalPath.Rejection.climbsAboveBase),
        ("/../admin/secret", .climbsAboveBase),
        ("/%2e%2e/admin", .climbsAboveBase),
        ("/.%2E/admin", .climbsAboveBase),
        ("/./../x", .climbsAboveBase),
        ("/a/../../x", .climbsAboveBase),
        ("/..%2fadmin", .encodedSeparator),
        ("/a%2Fb", .encodedSeparator),
        ("/a%5cb", .encodedSeparator),
        ("/a\\b", .backslash),
        ("/a%00", .encodedNUL),
        ("/a%zz", .malformedEscape),
        ("/a%2", .malformedEscape),
        ("/a%", .malformedEscape),
    ])
    func refusedPaths(path: String, rejection: CanonicalPath.Rejection) {
        #expect(throws: rejection) { try CanonicalPath.canonicalize(Substring(path)).get() }
    }

    @Test func thePreservingOptOutKeepsEscapesButNotEscapedDots() throws {
        #expect(String(try CanonicalPath.canonicalize("/a%61//b/../c%2a", escapes: .preserve).get()) == "/a%61/c%2A")
        #expect(throws: CanonicalPath.Rejection.escapedDot) { try CanonicalPath.canonicalize("/%2e%2e/x", escapes: .preserve).get() }
        #expect(throws: CanonicalPath.Rejection.climbsAboveBase) { try CanonicalPath.canonicalize("/../x", escapes: .preserve).get() }
    }

    @Test func aCanonicalPathIsRecognisedWithoutWork() {
        #expect(CanonicalPath.isCanonical("/v1/chat/completions"))
        #expect(CanonicalPath.isCanonical("/a..b/.c"))
        for path in ["/a//b", "/a/./b", "/a/../b", "/a/.", "/a/..", "/%41", "/a\\b", "//"] {
            #expect(!CanonicalPath.isCanonical(Substring(path)), "\(path)")
        }
    }

    /// Seeded: every path of random segments either is refused or comes out canonical, never
    /// above its root, and canonicalising again changes nothing.
    @Test func randomPathsNeverClimbAboveTheirRoot() throws {
        var random = SplitMix64(seed: 0xB0B)
        let pieces = ["a", "B", ".", "..", "", "%2e", "%2E%2e", "%41", "%2f", "%5C", "%00", "~", "x%20y", "..;", "%"]
        for _ in 0..<5000 {
            var path = ""
            for _ in 0..<Int(random.next() % 6) { path += "/" + pieces[Int(random.next() % UInt64(pieces.count))] }
            guard case let .success(canonical) = CanonicalPath.canonicalize(Substring(path)) else { continue }
            #expect(canonical.isEmpty || canonical.hasPrefix("/"))
            let segments = canonical.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            #expect(!segments.contains("..") && !segments.contains("."), "\(path) -> \(canonical)")
            #expect(!canonical.contains("//"), "\(path) -> \(canonical)")
            #expect(try CanonicalPath.canonicalize(canonical).get() == canonical)
        }
    }
}
