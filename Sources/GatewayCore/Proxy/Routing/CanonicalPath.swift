/// The canonical form of a request path, the only form the data path decides on and forwards
/// (RFC 3986 section 6.2.2; Envoy's `normalize_path` + `merge_slashes`, HAProxy's
/// `normalize-uri`):
/// - percent-escapes of unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded, every other
///   escape is kept with upper-case hex digits;
/// - empty segments are merged (`//` is `/`);
/// - dot segments are removed (section 5.2.4);
/// - refused: a path that would climb above its root (`/../x`), an encoded `/`, `\` or NUL,
///   a raw `\`, and a malformed escape.
///
/// The path given is the part of the caller's path after `/executor/<connector>`, so its root is
/// the connector's base path: what is forwarded can never leave that base.
public enum CanonicalPath {
    public enum Rejection: Error, Equatable, Sendable {
        case climbsAboveBase
        case encodedSeparator
        case encodedNUL
        case backslash
        case malformedEscape
        case escapedDot

        /// Why, in a sentence for the caller.
        public var reason: String {
            switch self {
            case .climbsAboveBase: "its dot segments climb above the connector's base path"
            case .encodedSeparator: "it contains an encoded '/' or '\\' (%2F, %5C)"
            case .encodedNUL: "it contains an encoded NUL (%00)"
            case .backslash: "it contains a backslash"
            case .malformedEscape: "it contains a '%' that is not followed by two hex digits"
            case .escapedDot: "it contains an escaped '.' (%2E), which this route forwards byte for byte"
            }
        }
    }

    /// How escapes are forwarded. `.normalize` is the rule; `.preserve` is the one opt-out a
    /// connector kind may declare for an upstream that needs the caller's escapes byte for byte:
    /// escapes are then forwarded as sent, and an escaped `.` is refused, so no dot segment can
    /// hide from the decision.
    public enum Escapes: Sendable, Equatable {
        case normalize
        case preserve
    }

    /// The canonical form of `path` (empty, or starting with `/`; no query).
    public static func canonicalize(_ path: Substring, escapes: Escapes = .normalize) -> Result<Substring, Rejection> {
        if isCanonical(path) { return .success(path) }
        return rebuild(path, escapes: escapes).map { Substring($0) }
    }

    /// True when nothing in `path` needs work: no `%`, no `\`, no empty or dot segment. Most
    /// paths take this allocation-free way.
    @inline(__always)
    static func isCanonical(_ path: Substring) -> Bool {
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: "/"):
                // `//`, `/./` and `/../` all end a segment that is empty or made of dots.
                if previous == UInt8(ascii: "/") { return false }
                if previous == UInt8(ascii: "."),
                    beforePrevious == UInt8(ascii: "/") || beforePrevious == UInt8(ascii: ".")
                {
                    return false
                }
            default:
                break
            }
            beforePrevious = previous
            previous = byte
        }
        // A path ending in `/.` or `/..`.
        if previous == UInt8(ascii: "."), beforePrevious == UInt8(ascii: "/") || beforePrevious == UInt8(ascii: ".") {
            return false
        }
        return true
    }

    private static func rebuild(_ path: Substring, escapes: Escapes) -> Result<String, Rejection> {
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "/") { bytes.removeFirst() }
        // Decode first, splitting on the raw `/` only (an encoded one is refused).
        var raw: [[UInt8]] = [[]]
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "/"):
                raw.append([])
                index += 1
            case UInt8(ascii: "\\"):
                return .failure(.backslash)
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return .failure(.malformedEscape) }
                let decoded = high << 4 | low
                switch decoded {
                case UInt8(ascii: "/"), UInt8(ascii: "\\"): return .failure(.encodedSeparator)
                case 0: return .failure(.encodedNUL)
                default: break
                }
                if escapes == .preserve {
                    if decoded == UInt8(ascii: ".") { return .failure(.escapedDot) }
                    raw[raw.count - 1].append(contentsOf: [UInt8(ascii: "%"), upperHex(high), upperHex(low)])
                } else if isUnreserved(decoded) {
                    raw[raw.count - 1].append(decoded)
                } else {
                    raw[raw.count - 1].append(contentsOf: [UInt8(ascii: "%"), upperHex(high), upperHex(low)])
                }
                index += 3
            default:
                raw[raw.count - 1].append(byte)
                index += 1
            }
        }
        // Remove dot segments and merge empty ones; a path ending in an empty or dot segment
        // keeps its trailing slash.
        var segments: [[UInt8]] = []
        var trailingSlash = false
        for (position, segment) in raw.enumerated() {
            let isLast = position == raw.count - 1
            switch segment {
            case [], [UInt8(ascii: ".")]:
                trailingSlash = isLast
            case [UInt8(ascii: "."), UInt8(ascii: ".")]:
                guard !segments.isEmpty else { return .failure(.climbsAboveBase) }
                segments.removeLast()
                trailingSlash = isLast
            default:
                segments.append(segment)
                trailingSlash = false
            }
        }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 1)
        for segment in segments {
            result.append(UInt8(ascii: "/"))
            result.append(contentsOf: segment)
        }
        if trailingSlash || result.isEmpty { result.append(UInt8(ascii: "/")) }
        return .success(String(decoding: result, as: UTF8.self))
    }

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    @inline(__always)
    static func upperHex(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }
}
