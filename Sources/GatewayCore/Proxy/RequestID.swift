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

/// Access-log form of a request target: values of key-like parameters are redacted, in the
/// query and in `;` parameters of the path, with names compared as servers read them
/// (percent-decoded, any case: `api%5Fkey`, `KEY`).
enum LoggedTarget {
    static let secretParameters: Set<String> = [
        "key", "api_key", "apikey", "api-key", "token", "auth_token", "access_token", "refresh_token", "id_token",
        "jwt", "secret", "client_secret", "password", "passwd", "pwd", "pw", "sig", "signature", "code", "session",
        "sessionid", "credential", "credentials", "private_key", "assertion", "client_assertion",
    ]

    /// True for a (decoded, lower-case) parameter name whose value is a secret.
    static func isSecret(_ name: String) -> Bool {
        if secretParameters.contains(name) { return true }
        for word in ["token", "secret", "passw", "credential"] where name.contains(word) { return true }
        for suffix in ["key", "sig", "signature", "jwt"] where name.hasSuffix(suffix) { return true }
        return false
    }

    static func redact(_ uri: String) -> String {
        guard uri.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: ";") }) else { return uri }
        var result = ""
        result.reserveCapacity(uri.utf8.count)
        var inQuery = false
        var pieceStart = uri.startIndex
        var separator: Character?  // the separator before the current piece
        func emit(_ end: String.Index) {
            let piece = uri[pieceStart..<end]
            if let separator { result.append(separator) }
            if separator != nil, let equals = piece.firstIndex(of: "="),
                isSecret(QueryName.decoded(piece[..<equals]))
            {
                result += piece[...equals] + "REDACTED"
            } else {
                result += piece
            }
        }
        var index = uri.startIndex
        while index < uri.endIndex {
            let character = uri[index]
            if character == "?" && !inQuery || character == "&" && inQuery || character == ";" {
                emit(index)
                separator = character
                if character == "?" { inQuery = true }
                pieceStart = uri.index(after: index)
            }
            index = uri.index(after: index)
        }
        emit(uri.endIndex)
        return result
    }
}
