/// Allocation-free, ASCII case-insensitive header name checks for the data path.
enum HeaderName {
    /// True when `name` equals `lowercase` ignoring ASCII case (`lowercase` must be lower case).
    @inline(__always)
    static func equals(_ name: String, _ lowercase: StaticString) -> Bool {
        matches(name, lowercase, wholeName: true, fold: lower)
    }

    /// True when `name` starts with `lowercasePrefix` ignoring ASCII case.
    @inline(__always)
    static func hasPrefix(_ name: String, _ lowercasePrefix: StaticString) -> Bool {
        matches(name, lowercasePrefix, wholeName: false, fold: lower)
    }

    /// Compares `name`, each byte folded, with `expected` (all of it, or its start).
    @inline(__always)
    private static func matches(
        _ name: String, _ expected: StaticString, wholeName: Bool, fold: (UInt8) -> UInt8
    ) -> Bool {
        matches(name.utf8, expected, wholeName: wholeName, fold: fold)
    }

    /// Compares the bytes of a name, each folded, with `expected` (all of it, or its start).
    @inline(__always)
    private static func matches<Name: Collection<UInt8>>(
        _ name: Name, _ expected: StaticString, wholeName: Bool, fold: (UInt8) -> UInt8
    ) -> Bool {
        let count = expected.utf8CodeUnitCount
        guard wholeName ? name.count == count : name.count >= count else { return false }
        return expected.withUTF8Buffer { expected in
            var index = 0
            for byte in name {
                if index == count { return true }
                if fold(byte) != expected[index] { return false }
                index += 1
            }
            return true
        }
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// The standard hop-by-hop headers (RFC 9110 section 7.6.1) and any `Proxy-*` header,
    /// with `_` read as `-`.
    static func isStandardHopByHop(_ name: String) -> Bool {
        isStandardHopByHop(name.utf8)
    }

    /// `isStandardHopByHop` over a name's bytes (a scanned head's field name).
    static func isStandardHopByHop<Name: Collection<UInt8>>(_ name: Name) -> Bool {
        switch name.count {
        case 2: return equalsFolded(name, "te")
        case 7: return equalsFolded(name, "upgrade") || equalsFolded(name, "trailer") || hasPrefixFolded(name, "proxy-")
        case 10: return equalsFolded(name, "connection") || equalsFolded(name, "keep-alive") || hasPrefixFolded(name, "proxy-")
        case 17: return equalsFolded(name, "transfer-encoding") || hasPrefixFolded(name, "proxy-")
        default: return hasPrefixFolded(name, "proxy-")
        }
    }

    /// ASCII lower case, and `_` as `-`: how a server that maps header names to variables
    /// (CGI, WSGI, PHP, nginx's `$http_*`) may read a name.
    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 {
        byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : lower(byte)
    }

    /// True when `name` equals `lowercase` ignoring ASCII case, with `_` read as `-`.
    @inline(__always)
    static func equalsFolded(_ name: String, _ lowercase: StaticString) -> Bool {
        matches(name.utf8, lowercase, wholeName: true, fold: fold)
    }

    @inline(__always)
    static func equalsFolded<Name: Collection<UInt8>>(_ name: Name, _ lowercase: StaticString) -> Bool {
        matches(name, lowercase, wholeName: true, fold: fold)
    }

    /// True when `name` starts with `lowercasePrefix` ignoring ASCII case, with `_` read as `-`.
    @inline(__always)
    static func hasPrefixFolded(_ name: String, _ lowercasePrefix: StaticString) -> Bool {
        matches(name.utf8, lowercasePrefix, wholeName: false, fold: fold)
    }

    @inline(__always)
    static func hasPrefixFolded<Name: Collection<UInt8>>(_ name: Name, _ lowercasePrefix: StaticString) -> Bool {
        matches(name, lowercasePrefix, wholeName: false, fold: fold)
    }

    /// True when the bytes of `name` start with `lowercasePrefix` ignoring ASCII case.
    @inline(__always)
    static func hasPrefix<Name: Collection<UInt8>>(bytes name: Name, _ lowercasePrefix: StaticString) -> Bool {
        matches(name, lowercasePrefix, wholeName: false, fold: lower)
    }

    /// True when the bytes of `name` equal `lowercase` ignoring ASCII case (`_` is not `-` here).
    @inline(__always)
    static func equals<Name: Collection<UInt8>>(bytes name: Name, _ lowercase: StaticString) -> Bool {
        matches(name, lowercase, wholeName: true, fold: lower)
    }

    /// True when `name`, each byte folded (`fold`), equals `folded` (bytes folded already).
    @inline(__always)
    static func equalsFolded<Name: Collection<UInt8>>(_ name: Name, folded: [UInt8]) -> Bool {
        guard name.count == folded.count else { return false }
        var index = 0
        for byte in name {
            if fold(byte) != folded[index] { return false }
            index += 1
        }
        return true
    }
}
