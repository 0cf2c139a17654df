extension RouteTable.ConnectorRoutes {
    /// Which route of a family serves a canonical path.
    enum Match {
        case entry(RouteTable.Entry)
        /// The path names a route prefix in another letter case: refused, since an upstream
        /// that matches routes without regard to case would serve it past the prefix's rule.
        case caseMismatch(String)
        case none
    }

    /// The most specific entry whose prefix is the path or a whole-segment prefix of it.
    func match(_ family: RouteSpec.Family, path: Substring) -> Match {
        for entry in entries(family) {
            let prefix = entry.pathPrefix
            if prefix.isEmpty { return .entry(entry) }
            if Self.hasSegmentPrefix(path, prefix, ignoringCase: false) { return .entry(entry) }
            if Self.hasSegmentPrefix(path, prefix, ignoringCase: true) { return .caseMismatch(prefix) }
        }
        return .none
    }

    /// True when `path` is `prefix` or starts with `prefix` followed by `/`.
    static func hasSegmentPrefix(_ path: Substring, _ prefix: String, ignoringCase: Bool) -> Bool {
        var pathBytes = path.utf8.makeIterator()
        for expected in prefix.utf8 {
            guard let byte = pathBytes.next() else { return false }
            if byte == expected { continue }
            guard ignoringCase, Self.lower(byte) == Self.lower(expected) else { return false }
        }
        guard let next = pathBytes.next() else { return true }
        return next == UInt8(ascii: "/")
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
