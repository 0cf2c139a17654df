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
