/// Allocation-free, ASCII case-insensitive header name checks for the data path.
enum HeaderName {
    /// True when `name` equals `lowercase` ignoring ASCII case (`lowercase` must be lower case).
    @inline(__always)
    static func equals(_ name: String, _ lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard name.utf8.count == count else { return false }
        return lowercase.withUTF8Buffer { expected in
            var index = 0
            for byte in name.utf8 {
                let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if folded != expected[index] { return false }
                index += 1
            }
            return true
        }
    }

    /// True when `name` starts with `lowercasePrefix` ignoring ASCII case.
    @inline(__always)
    static func hasPrefix(_ name: String, _ lowercasePrefix: StaticString) -> Bool {
        let count = lowercasePrefix.utf8CodeUnitCount
        guard name.utf8.count >= count else { return false }
        return lowercasePrefix.withUTF8Buffer { expected in
            var index = 0
            for byte in name.utf8 {
                if index == count { return true }
                let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if folded != expected[index] { return false }
                index += 1
            }
            return true
        }
    }

    /// The standard hop-by-hop headers (RFC 9110 section 7.6.1) and any `Proxy-*` header.
    static func isStandardHopByHop(_ name: String) -> Bool {
        switch name.utf8.count {
        case 2: return equals(name, "te")
        case 7: return equals(name, "upgrade") || equals(name, "trailer")
        case 10: return equals(name, "connection") || equals(name, "keep-alive")
        case 17: return equals(name, "transfer-encoding")
        default: return hasPrefix(name, "proxy-")
        }
    }
}

extension HeaderName {
    /// True when `name` equals the lower-case `lowercase` ignoring ASCII case.
    @inline(__always)
    static func equalsLowercased(_ name: String, _ lowercase: String) -> Bool {
        guard name.utf8.count == lowercase.utf8.count else { return false }
        for (byte, expected) in zip(name.utf8, lowercase.utf8) {
            let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if folded != expected { return false }
        }
        return true
    }
}
