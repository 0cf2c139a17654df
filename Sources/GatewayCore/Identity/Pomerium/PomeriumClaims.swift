/// The claims of a Pomerium JWT assertion the gateway reads. Pomerium sets `aud` to one string;
/// an array is accepted too.
struct PomeriumClaims: Decodable {
    var iss: String?
    var aud: [String]
    var exp: Double?
    var iat: Double?
    var nbf: Double?
    var sub: String?
    var email: String?
    var groups: [String]

    private enum CodingKeys: String, CodingKey { case iss, aud, exp, iat, nbf, sub, email, groups }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decodeIfPresent(String.self, forKey: .iss)
        if let one = try? container.decodeIfPresent(String.self, forKey: .aud) {
            aud = [one]
        } else {
            aud = try container.decodeIfPresent([String].self, forKey: .aud) ?? []
        }
        exp = try container.decodeIfPresent(Double.self, forKey: .exp)
        iat = try container.decodeIfPresent(Double.self, forKey: .iat)
        nbf = try container.decodeIfPresent(Double.self, forKey: .nbf)
        sub = try container.decodeIfPresent(String.self, forKey: .sub)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        groups = (try? container.decodeIfPresent([String].self, forKey: .groups)) ?? []
    }
}
