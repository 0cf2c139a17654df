/// The principal keys that always have a value, as constants.
enum PrincipalKey {
    static let ratePerConnector: Setting<Bool> = .bool(
        "rate.per_connector", default: false, summary: "one bucket per connector instead of one for all of this caller's requests")
}
