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
