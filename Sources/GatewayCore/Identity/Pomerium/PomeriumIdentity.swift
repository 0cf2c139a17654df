/// Who a verified assertion says calls.
public struct PomeriumIdentity: Sendable, Equatable {
    public var email: String?
    public var groups: [String]
    public var subject: String?
}
