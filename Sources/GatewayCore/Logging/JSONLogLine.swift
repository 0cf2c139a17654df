import Logging

/// One log event as a single line of JSON (RFC 8259), the shape `--log-format json` writes:
///
///     {"time":"2025-06-01T12:34:56.789Z","level":"info","message":"access","request_id":"…",
///      "connector":"langboard","principal":"worker","logger":"gateway","source":"GatewayCore",
///      "gateway.bytes_in":"0",…,"http.status":"200"}
///
/// `time` is RFC 3339 in UTC; `level` is swift-log's level name. The metadata is flattened into the
/// object: the request id, connector and principal under the stable keys `request_id`,
/// `connector` and `principal` (from `gateway.request_id`, `gateway.connector`,
/// `gateway.principal`), every other key as it is, sorted. Values keep their metadata shape
/// (strings, nested objects, arrays). A metadata key that would repeat a key already written
/// (`message`, `time`, ...) is written as `metadata.<key>`, so no field is ever lost or doubled.
enum JSONLogLine {
    /// Metadata keys written under a stable name, in this order, right after the message.
    static let stableKeys: [(metadata: String, field: String)] = [
        ("gateway.request_id", "request_id"),
        ("gateway.connector", "connector"),
        ("gateway.principal", "principal"),
    ]

    private static let fixedFields: Set<String> = ["time", "level", "message", "logger", "source"]

    /// The line, ending with a newline.
    static func render(
        time: LogTimestamp, level: Logger.Level, message: String, label: String, source: String,
        metadata: Logger.Metadata
    ) -> String {
        var line = ""
        line.reserveCapacity(256 + metadata.count * 32)
        line.append("{\"time\":\"")
        line.append(time.rfc3339)
        line.append("\",\"level\":\"")
        line.append(level.rawValue)
        line.append("\",\"message\":")
        appendString(message, to: &line)

        var written = fixedFields
        var rest = metadata
        for (key, field) in stableKeys {
            guard let value = rest.removeValue(forKey: key) else { continue }
            appendField(field, value, to: &line)
            written.insert(field)
        }
        line.append(",\"logger\":")
        appendString(label, to: &line)
        line.append(",\"source\":")
        appendString(source, to: &line)
        for key in rest.keys.sorted() {
            let field = written.contains(key) ? "metadata.\(key)" : key
            appendField(field, rest[key]!, to: &line)
            written.insert(field)
        }
        line.append("}\n")
        return line
    }

    private static func appendField(_ name: String, _ value: Logger.MetadataValue, to line: inout String) {
        line.append(",")
        appendString(name, to: &line)
        line.append(":")
        appendValue(value, to: &line)
    }

    static func appendValue(_ value: Logger.MetadataValue, to line: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &line)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &line)
        case .dictionary(let dictionary):
            line.append("{")
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line.append(",") }
                appendString(key, to: &line)
                line.append(":")
                appendValue(dictionary[key]!, to: &line)
            }
            line.append("}")
        case .array(let values):
            line.append("[")
            for (index, element) in values.enumerated() {
                if index > 0 { line.append(",") }
                appendValue(element, to: &line)
            }
            line.append("]")
        }
    }

    /// `text` as a JSON string: quote, backslash and every control character escaped (so a
    /// message or value holding a newline stays on its line), U+2028/U+2029 too (for consumers
    /// that read JSON as JavaScript); everything else as UTF-8.
    static func appendString(_ text: String, to line: inout String) {
        line.append("\"")
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }) {
            line.append(text)
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": line.append("\\\"")
                case "\\": line.append("\\\\")
                case "\n": line.append("\\n")
                case "\r": line.append("\\r")
                case "\t": line.append("\\t")
                case "\u{08}": line.append("\\b")
                case "\u{0C}": line.append("\\f")
                case "\u{2028}": line.append("\\u2028")
                case "\u{2029}": line.append("\\u2029")
                default:
                    if scalar.value < 0x20 {
                        line.append("\\u00")
                        line.append(hexDigits[Int(scalar.value >> 4)])
                        line.append(hexDigits[Int(scalar.value & 0xF)])
                    } else {
                        line.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        line.append("\"")
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")
}
