/// The JOSE header fields the gateway reads.
struct PomeriumHeader: Decodable {
    var alg: String?
    var kid: String?
    var crit: [String]?
}
