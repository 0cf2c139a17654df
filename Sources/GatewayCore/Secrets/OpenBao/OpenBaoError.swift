import Foundation

/// Why an OpenBao call failed, in words an operator can act on. Never holds a secret value: the
/// message names paths, fields, statuses and OpenBao's own error text (with anything the request
/// carried as a credential blanked out).
package struct OpenBaoError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        init(_ rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        /// No address, or the auth method lacks a setting.
        package static let unconfigured = Code("openbao.unconfigured")
        /// The token, role id, secret id or service account token cannot be read.
        package static let credentialMissing = Code("openbao.credential_missing")
        /// Connection refused, DNS, reset.
        package static let unreachable = Code("openbao.unreachable")
        package static let tls = Code("openbao.tls")
        package static let timeout = Code("openbao.timeout")
        /// 401/403: the token is wrong, expired, or its policy does not allow the path.
        package static let forbidden = Code("openbao.forbidden")
        /// 404: no secret (or no mount) at the path, or no such version.
        package static let notFound = Code("openbao.not_found")
        /// The version asked for exists but was deleted or destroyed.
        package static let deleted = Code("openbao.deleted")
        /// The secret has no such field.
        package static let missingField = Code("openbao.missing_field")
        /// The field holds a number, boolean, list or object instead of a string.
        package static let wrongType = Code("openbao.wrong_type")
        /// A login (AppRole, Kubernetes) was refused.
        package static let loginFailed = Code("openbao.login_failed")
        /// 503: sealed, or not ready.
        package static let unavailable = Code("openbao.unavailable")
        /// 400, 405, 412, ...: OpenBao refused the request as made.
        package static let rejected = Code("openbao.rejected")
        /// The answer is not the JSON OpenBao sends.
        package static let badResponse = Code("openbao.bad_response")
    }

    package var code: Code
    /// A whole clause without a trailing period, e.g. `OpenBao denied access, reading
    /// secret/data/connectors/langboard (403 permission denied): ...`.
    package var message: String
    /// The HTTP status, when OpenBao answered.
    package var status: Int?

    package init(_ code: Code, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    package var description: String { "\(message) [\(code)]" }

    /// Classifies a non-2xx answer to a request described by `what` (e.g. `reading
    /// secret/data/connectors/langboard`, `the AppRole login at auth/approle`). `redacting` are strings the request carried as
    /// credentials: should OpenBao echo one in its error text, it is blanked out.
    static func classify(status: Int, body: [UInt8], what: String, redacting secrets: [SecretValue] = []) -> OpenBaoError {
        let messages = JSONValue.parse(body)?.errorMessages ?? []
        var said = messages.filter { !$0.isEmpty }.joined(separator: "; ")
        for secret in secrets where !secret.isEmpty {
            secret.withUnredactedValue { said = said.replacingOccurrences(of: $0, with: "<redacted>") }
        }
        if said.count > 300 { said = String(said.prefix(300)) + "..." }
        let detail = said.isEmpty ? "" : ": \(said)"
        switch status {
        case 401, 403:
            return OpenBaoError(
                .forbidden,
                "OpenBao denied access, \(what) (\(status)\(said.isEmpty ? "" : " " + said)): the gateway's token is wrong, expired or revoked, or its policy does not allow this path",
                status: status)
        case 404:
            if said.contains("no handler for route") {
                return OpenBaoError(
                    .notFound,
                    "OpenBao has no such mount, \(what) (404\(detail)); check the mount name (a KV v2 mount is read at <mount>/data/<path>)",
                    status: status)
            }
            return OpenBaoError(.notFound, "OpenBao found nothing \(what) (404\(detail)): no secret at that path, or no such version", status: status)
        case 503:
            return OpenBaoError(.unavailable, "OpenBao is unavailable, \(what) (503\(detail)); it may be sealed or still starting", status: status)
        case 500...:
            return OpenBaoError(.unavailable, "OpenBao failed, \(what) (\(status)\(detail))", status: status)
        default:
            return OpenBaoError(.rejected, "OpenBao refused the request, \(what) (\(status)\(detail))", status: status)
        }
    }
}
