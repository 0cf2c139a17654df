/// Query parameter names as servers read them: percent-decoded (and `+` as a space) and, for
/// comparison with the gateway's lists, lower-cased. `%6Bey`, `KEY` and `key` are one name.
enum QueryName {
    static func decoded(_ name: Substring) -> String {
        guard name.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") || ($0 >= 0x41 && $0 <= 0x5A) })
        else { return String(name) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        var iterator = Array(name.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = CanonicalPath.hexValue(iterator[iterator.startIndex]),
                let low = CanonicalPath.hexValue(iterator[iterator.startIndex + 1])
            {
                iterator = iterator.dropFirst(2)
                bytes.append(high << 4 | low)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }
}
