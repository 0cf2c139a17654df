/// The principal keys that always have a value, as constants.
public enum PrincipalKey {
    public static let ratePerConnector: Setting<Bool> = .bool(
        "rate.per_connector", default: false, summary: "one bucket per connector instead of one for all of this caller's requests")
}
