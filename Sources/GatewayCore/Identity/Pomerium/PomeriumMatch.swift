/// `pomerium: {emails: [...], groups: [...]}` on a principal: a verified assertion whose `email`
/// is listed (compared without regard to case) or one of whose `groups` is listed (exactly) is
/// this principal.
package struct PomeriumMatch: Sendable, Hashable, CustomStringConvertible {
    package var emails: Set<String>
    package var groups: Set<String>

    package init(emails: [String] = [], groups: [String] = []) {
        self.emails = Set(emails.map { $0.lowercased() })
        self.groups = Set(groups)
    }

    package func matches(_ identity: PomeriumIdentity) -> Bool {
        if let email = identity.email, emails.contains(email.lowercased()) { return true }
        return identity.groups.contains(where: groups.contains)
    }

    package var description: String {
        var parts: [String] = []
        if !emails.isEmpty { parts.append("emails \(emails.sorted().joined(separator: ", "))") }
        if !groups.isEmpty { parts.append("groups \(groups.sorted().joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}
