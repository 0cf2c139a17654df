/// A KV v2 secret as `GET /v1/<mount>/data/<path>` returns it: the fields at `data.data` and the
/// version at `data.metadata.version`. Field values stay inside; only `value(of:)` hands one
/// out, as a `SecretValue`.
struct KVv2Secret: Sendable {
    /// The fields, or nil when the version was deleted or destroyed (`data.data` is null).
    let fields: [String: JSONValue]?
    let version: Int?
    let deleted: Bool

    /// Parses a 200 answer (or a 404 that carries the metadata of a deleted version).
    init(parsing body: [UInt8], what: String) throws(OpenBaoError) {
        guard let document = JSONValue.parse(body), let data = document["data"]?.objectValue else {
            throw OpenBaoError(
                .badResponse, "OpenBao's answer to \(what) is not a KV v2 secret (no data object); is the mount a KV version 2 engine?")
        }
        let metadata = data["metadata"]
        version = metadata?["version"]?.numberValue.map { Int($0) }
        let deletion = metadata?["deletion_time"]?.stringValue ?? ""
        let destroyed = metadata?["destroyed"]?.boolValue ?? false
        switch data["data"] {
        case let .object(fields)?:
            self.fields = fields
            deleted = false
        case .null?, nil:
            guard metadata != nil else {
                throw OpenBaoError(.badResponse, "OpenBao's answer to \(what) has no data.data object; is the mount a KV version 2 engine?")
            }
            fields = nil
            deleted = !deletion.isEmpty || destroyed
        case let other?:
            throw OpenBaoError(.badResponse, "OpenBao's answer to \(what) has \(other.kindName) at data.data instead of an object")
        }
    }

    init(fields: [String: JSONValue], version: Int?) {
        self.fields = fields
        self.version = version
        self.deleted = false
    }

    /// The string at `data.data.<field>`. The errors name the field and the type found, never a
    /// value.
    func value(of field: String, what: String) throws(OpenBaoError) -> SecretValue {
        guard let fields else {
            throw OpenBaoError(.deleted, "the secret for \(what)\(version.map { " (version \($0))" } ?? "") is deleted or destroyed in OpenBao")
        }
        guard let value = fields[field] else {
            let known = fields.keys.sorted()
            throw OpenBaoError(
                .missingField,
                "the secret for \(what) has no field '\(field)'"
                    + (known.isEmpty ? " (it has no fields)" : " (its fields: \(known.joined(separator: ", ")))"))
        }
        guard case let .string(text) = value else {
            throw OpenBaoError(.wrongType, "the field '\(field)' of the secret for \(what) holds \(value.kindName), not a string")
        }
        guard !text.isEmpty else {
            throw OpenBaoError(.wrongType, "the field '\(field)' of the secret for \(what) is an empty string")
        }
        return SecretValue(text)
    }
}
