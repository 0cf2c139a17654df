/// Who a verified assertion says calls.
package struct PomeriumIdentity: Sendable, Equatable {
    package var email: String?
    package var groups: [String]
    package var subject: String?
}
