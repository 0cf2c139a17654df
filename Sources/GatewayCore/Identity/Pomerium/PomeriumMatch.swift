/// `pomerium: {emails: [...], groups: [...]}` on a principal: a verified assertion whose `email`
/// is listed (compared without regard to case) or one of whose `groups` is listed (exactly) is
/// this principal.
public struct PomeriumMatch: Sendable, Hashable, CustomStringConvertible {
    public var emails: Set<String>
    public var groups: Set<String>

    public init(emails: [String] = [], groups: [String] = []) {
        self.emails = Set(emails.map { $0.lowercased() })
        self.groups = Set(groups)
    }

    public func matches(_ identity: PomeriumIdentity) -> Bool {
        if let email = identity.email, emails.contains(email.lowercased()) { return true }
        return identity.groups.contains(where: groups.contains)
    }

    public var description: String {
        var parts: [String] = []
        if !emails.isEmpty { parts.append("emails \(emails.sorted().joined(separator: ", "))") }
        if !groups.isEmpty { parts.append("groups \(groups.sorted().joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}
