import NIOHPACK
import Tracing

struct HPACKHeadersExtractor: Extractor {
    func extract(key: String, from headers: HPACKHeaders) -> String? { headers.first(name: key) }
}
