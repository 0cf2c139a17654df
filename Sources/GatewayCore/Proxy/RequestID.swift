/// Request ids: the caller's `X-Request-ID` when it is sane, else a new random one.
enum RequestID {
    static func accept(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count) else { return nil }
        let ok = value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x3A
        }
        return ok ? value : nil
    }

    /// A new id from `generator` (a per-connection generator seeded once from the system, so
    /// ids cost no system call).
    static func generate(using generator: inout RequestIDGenerator) -> String {
        let high = generator.next()
        let low = generator.next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { digits in
                for index in 0..<16 {
                    buffer[index] = digits[Int((high >> (60 - 4 * UInt64(index))) & 0xF)]
                    buffer[16 + index] = digits[Int((low >> (60 - 4 * UInt64(index))) & 0xF)]
                }
            }
            return 32
        }
    }
}

/// xorshift64* seeded from the system's random source: unique enough for request ids, and free
/// of the system call `SystemRandomNumberGenerator` makes for every number.
struct RequestIDGenerator {
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next() | 1
    }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

/// Access-log form of a request target: values of key-like query parameters are redacted.
enum LoggedTarget {
    static let secretParameters: Set<String> = [
        "key", "api_key", "apikey", "token", "auth_token", "access_token", "refresh_token", "secret", "password",
        "sig", "signature", "client_secret", "code",
    ]

    static func redact(_ uri: String) -> String {
        guard let question = uri.firstIndex(of: "?") else { return uri }
        let query = uri[uri.index(after: question)...]
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = pair[..<equals].lowercased()
            return secretParameters.contains(name) ? "\(pair[..<equals])=REDACTED" : String(pair)
        }
        return String(uri[...question]) + parts.joined(separator: "&")
    }
}
