import Foundation
import NIOCore
import NIOHTTP1

/// The SCIM 2.0 error response body; `status` is a string, as the RFC requires.
struct SCIMError: Codable, Equatable {
    var schemas = ["urn:ietf:params:scim:api:messages:2.0:Error"]
    var status: String
    var detail: String
    var scimType: String?
}
